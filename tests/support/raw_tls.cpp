#include "raw_tls.h"

#include <asio/connect.hpp>
#include <asio/write.hpp>

#include <array>
#include <functional>
#include <stdexcept>

namespace dhtpush::test {

RawTlsConnection::RawTlsConnection(const std::string& source, std::uint16_t port, std::chrono::milliseconds timeout)
    : context_(asio::ssl::context::tls_client), stream_(io_, context_) {
    stream_.set_verify_mode(asio::ssl::verify_none);  // the node's self-signed test certificate
    auto& socket = stream_.lowest_layer();
    asio::error_code ec;
    socket.open(asio::ip::tcp::v4(), ec);
    if (!ec) socket.bind({asio::ip::make_address(source, ec), 0}, ec);
    if (!ec) socket.connect({asio::ip::address_v4::loopback(), port}, ec);
    if (ec) throw std::runtime_error("cannot connect from " + source + ": " + ec.message());
    asio::error_code handshake = asio::error::timed_out;
    stream_.async_handshake(asio::ssl::stream_base::client, [&handshake](const asio::error_code& result) {
        handshake = result;
    });
    runFor(timeout);
    if (handshake) throw std::runtime_error("TLS handshake failed: " + handshake.message());
}

RawTlsConnection::~RawTlsConnection() {
    asio::error_code ignored;
    stream_.lowest_layer().close(ignored);
}

std::string RawTlsConnection::exchange(const std::string& bytes, std::chrono::milliseconds timeout) {
    std::string received;
    asio::async_write(stream_, asio::buffer(bytes), [](const asio::error_code&, std::size_t) {});
    std::array<char, 4096> buffer{};
    std::function<void()> readMore = [&] {
        stream_.async_read_some(asio::buffer(buffer), [&](const asio::error_code& ec, std::size_t size) {
            if (ec) return;
            received.append(buffer.data(), size);
            readMore();
        });
    };
    readMore();
    runFor(timeout);
    return received;
}

void RawTlsConnection::runFor(std::chrono::milliseconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (io_.stopped()) return;
    asio::error_code ignored;
    stream_.lowest_layer().close(ignored);
    io_.restart();
    io_.run();
}

}  // namespace dhtpush::test
