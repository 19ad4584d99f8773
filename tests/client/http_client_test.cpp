// The HTTP client against a real loopback server that counts its connections.
#include "dhtpush/client/http_client.h"

#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include <catch2/catch.hpp>

using namespace dhtpush;

namespace {

// Answers every request (no body) with 200 "ok"; with `closeEach`, closes the connection
// after each answer, as a server that does not keep connections alive.
class CountingServer {
public:
    explicit CountingServer(bool closeEach) : closeEach_(closeEach) {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~CountingServer() {
        io_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/"; }
    int connections() const { return connections_; }

private:
    using Socket = asio::ip::tcp::socket;
    void accept() {
        acceptor_.async_accept([this](const asio::error_code& ec, Socket socket) {
            if (ec) return;
            ++connections_;
            serve(std::make_shared<Socket>(std::move(socket)), std::make_shared<asio::streambuf>());
            accept();
        });
    }
    void serve(std::shared_ptr<Socket> socket, std::shared_ptr<asio::streambuf> in) {
        asio::async_read_until(*socket, *in, "\r\n\r\n", [this, socket, in](const asio::error_code& ec, std::size_t n) {
            if (ec) return;
            in->consume(n);
            auto reply = std::make_shared<std::string>(closeEach_
                                                           ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                                           : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            asio::async_write(*socket, asio::buffer(*reply), [this, socket, in, reply](const asio::error_code& e, std::size_t) {
                if (e) return;
                if (closeEach_) socket->close();
                else serve(socket, in);
            });
        });
    }

    bool closeEach_;
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

int threeRequests(const std::string& url) {
    int ok = 0;
    for (int i = 0; i < 3; ++i) {
        auto response = client::httpRequest({"GET", url, {}, {}});
        if (response && response->status == 200 && response->body == "ok") ++ok;
    }
    return ok;
}

}  // namespace

TEST_CASE("requests from one thread to one server share a kept-alive connection", "[client][http]") {
    CountingServer server(false);
    // A thread of its own: the handle (and its connections) is per thread.
    int ok = 0;
    std::thread([&] { ok = threeRequests(server.url()); }).join();
    CHECK(ok == 3);
    CHECK(server.connections() == 1);
    std::thread([&] { ok = threeRequests(server.url()); }).join();  // another thread: its own
    CHECK(ok == 3);
    CHECK(server.connections() == 2);
}

TEST_CASE("a server that closes after each answer gets a new connection for each request", "[client][http]") {
    CountingServer server(true);
    int ok = 0;
    std::thread([&] { ok = threeRequests(server.url()); }).join();
    CHECK(ok == 3);
    CHECK(server.connections() == 3);
}
