#pragma once
// The plain-HTTP listener's socket type (restinio traits' stream_socket_t): a TCP socket
// whose reads pass through HttpHeadCheck. When a request breaks a rule, the socket writes
// the answer itself (status and an application/problem+json body, then Connection: close)
// and tells restinio the peer closed: restinio 0.6.16 would close without a word.
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <utility>

#include <restinio/tls_fwd.hpp>

#include "request_head_gate.h"

namespace dhtpush::proxy {

class GuardedSocket {
public:
    using executor_type = asio::ip::tcp::socket::executor_type;
    using lowest_layer_type = asio::ip::tcp::socket;

    explicit GuardedSocket(asio::io_context& io) : socket_(io) {}
    GuardedSocket(GuardedSocket&&) noexcept = default;
    GuardedSocket& operator=(GuardedSocket&&) noexcept = default;

    asio::ip::tcp::socket& lowest_layer() { return socket_; }
    const asio::ip::tcp::socket& lowest_layer() const { return socket_; }
    executor_type get_executor() { return socket_.get_executor(); }
    bool is_open() const { return socket_.is_open(); }
    void cancel(asio::error_code& ec) { socket_.cancel(ec); }
    void shutdown(asio::ip::tcp::socket::shutdown_type what, asio::error_code& ec) { socket_.shutdown(what, ec); }
    void close() {
        asio::error_code ignored;
        socket_.close(ignored);
    }
    void close(asio::error_code& ec) { socket_.close(ec); }

    // Reads like the TCP socket; the bytes are checked first.
    template <class MutableBuffers, class Handler>
    void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        gate_.read(socket_, buffers, std::forward<Handler>(handler), [this](const std::string& answer) {
            asio::error_code ignored;
            // Best effort and never waiting: a few hundred bytes the socket's buffer takes at
            // once, unless a client that stopped reading filled it, and then it must not stall
            // the node's one thread.
            socket_.non_blocking(true, ignored);
            socket_.write_some(asio::buffer(answer), ignored);
            socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        });
    }

    template <class ConstBuffers, class Handler>
    void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        socket_.async_write_some(buffers, std::forward<Handler>(handler));
    }

private:
    asio::ip::tcp::socket socket_;
    RequestHeadGate gate_;
};

// restinio's hooks for a socket type of its own, found by argument-dependent lookup: no TLS
// handshake, no TLS state.
template <typename Connection, typename StartRead, typename Failed>
void prepare_connection_and_start_read(GuardedSocket&, Connection&, StartRead startRead, Failed) {
    startRead();
}
inline restinio::tls_socket_t* make_tls_socket_pointer_for_state_listener(GuardedSocket&) noexcept { return nullptr; }

}  // namespace dhtpush::proxy
