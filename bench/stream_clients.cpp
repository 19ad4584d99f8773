#include "stream_clients.h"

#include <sys/resource.h>

#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

namespace dhtpush::bench {

struct StreamClients::Stream : std::enable_shared_from_this<Stream> {
    explicit Stream(asio::io_context& io) : socket(io) {}
    asio::ip::tcp::socket socket;
    std::string request;
    std::array<char, 4096> buffer{};
    bool headersSeen{false};
    std::string head;

    void start(asio::ip::tcp::endpoint local, asio::ip::tcp::endpoint remote, std::atomic<std::size_t>& established,
               std::atomic<std::size_t>& failed) {
        asio::error_code ec;
        socket.open(asio::ip::tcp::v4(), ec);
        socket.bind(local, ec);
        socket.async_connect(remote, [self = shared_from_this(), &established, &failed](const asio::error_code& e) {
            if (e) {
                ++failed;
                return;
            }
            asio::async_write(self->socket, asio::buffer(self->request),
                              [self, &established, &failed](const asio::error_code& we, std::size_t) {
                                  if (we) ++failed;
                                  else self->read(established, failed);
                              });
        });
    }

    void read(std::atomic<std::size_t>& established, std::atomic<std::size_t>& failed) {
        socket.async_read_some(asio::buffer(buffer), [self = shared_from_this(), &established, &failed](
                                                         const asio::error_code& e, std::size_t n) {
            if (e) {
                if (!self->headersSeen) ++failed;
                return;
            }
            if (!self->headersSeen) {
                self->head.append(self->buffer.data(), n);
                if (self->head.find("\r\n\r\n") != std::string::npos) {
                    self->headersSeen = true;
                    if (self->head.rfind("HTTP/1.1 200", 0) == 0) ++established;
                    else ++failed;
                    self->head.clear();
                }
            }
            self->read(established, failed);
        });
    }
};

StreamClients::StreamClients() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

StreamClients::~StreamClients() {
    work_.reset();
    io_.stop();
    thread_.join();
}

void StreamClients::open(std::uint16_t port, const std::string& path, const std::string& headers) {
    auto stream = std::make_shared<Stream>(io_);
    stream->request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
    const auto index = opened_++;
    const auto source = asio::ip::make_address_v4(static_cast<asio::ip::address_v4::uint_type>(0x7f000001 + index / 20000));
    asio::post(io_, [this, stream, source, port] {
        stream->start({source, 0}, {asio::ip::make_address("127.0.0.1"), port}, established_, failed_);
    });
    streams_.push_back(std::move(stream));
}

std::size_t raiseFileLimit() {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

}  // namespace dhtpush::bench
