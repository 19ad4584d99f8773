#pragma once
// HTTP/1.1 bytes over TLS from a chosen loopback source address, the certificate not checked:
// what RawConnection (raw_http.h) is to the plain listener, for the HTTPS one. Bounded in
// time: every wait has a deadline. Throws std::runtime_error when the connection or the
// handshake fails.
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace dhtpush::test {

class RawTlsConnection {
public:
    RawTlsConnection(const std::string& source, std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~RawTlsConnection();
    RawTlsConnection(const RawTlsConnection&) = delete;
    RawTlsConnection& operator=(const RawTlsConnection&) = delete;

    // Sends `bytes` (as much as the server takes before it closes) while reading what comes
    // back, until the server closes the connection or `timeout` passes.
    std::string exchange(const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    // Runs the io_context until its work is done or `timeout` passes; then closes the socket
    // and lets the cancelled operations end.
    void runFor(std::chrono::milliseconds timeout);

    asio::io_context io_;
    asio::ssl::context context_;
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
};

}  // namespace dhtpush::test
