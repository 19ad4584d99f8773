#pragma once
// The HTTPS listener's socket type: restinio's TLS socket, whose decrypted reads pass through
// the same request-head check as the plain listener's (guarded_socket.h). A refused request
// is answered inside TLS, with the same status and problem body, then the connection closes.
//
// restinio 0.6.16 builds a TLS listener only around its own tls_socket_t; a socket type of
// ours needs the hooks it has for that one: the handshake before the first read, the TLS
// context among the server's settings, and a pool of sockets made with that context.
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include <memory>
#include <utility>
#include <vector>

#include <restinio/tls.hpp>

#include "request_head_gate.h"

namespace dhtpush::proxy {

class GuardedTlsSocket {
public:
    using TlsSocket = restinio::tls_socket_t;
    using executor_type = asio::ip::tcp::socket::executor_type;
    using lowest_layer_type = TlsSocket::socket_t::lowest_layer_type;

    GuardedTlsSocket(asio::io_context& io, std::shared_ptr<asio::ssl::context> context)
        : socket_(io, std::move(context)) {}
    GuardedTlsSocket(GuardedTlsSocket&&) noexcept = default;
    GuardedTlsSocket& operator=(GuardedTlsSocket&&) noexcept = default;

    lowest_layer_type& lowest_layer() { return socket_.lowest_layer(); }
    const lowest_layer_type& lowest_layer() const { return socket_.lowest_layer(); }
    executor_type get_executor() { return socket_.get_executor(); }
    bool is_open() const { return socket_.is_open(); }
    TlsSocket& tls() { return socket_; }
    template <class... Args>
    void cancel(Args&&... args) {
        socket_.cancel(std::forward<Args>(args)...);
    }
    template <class... Args>
    void shutdown(Args&&... args) {
        socket_.shutdown(std::forward<Args>(args)...);
    }
    template <class... Args>
    void close(Args&&... args) {
        socket_.close(std::forward<Args>(args)...);
    }

    // Reads like the TLS socket; the decrypted bytes are checked first.
    template <class MutableBuffers, class Handler>
    void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        gate_.read(socket_, buffers, std::forward<Handler>(handler),
                   [this](const std::string& answer) { answerAndClose(answer); });
    }

    template <class ConstBuffers, class Handler>
    void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        socket_.async_write_some(buffers, std::forward<Handler>(handler));
    }

private:
    // Best effort and never waiting, as on the plain listener: with the TCP socket
    // non-blocking, TLS writes what the socket's buffer takes at once, then its close_notify.
    // Nothing else is reading or writing: restinio reads a request only when no answer is
    // being written (one request at a time on a connection).
    void answerAndClose(const std::string& answer) {
        asio::error_code ignored;
        socket_.lowest_layer().non_blocking(true, ignored);
        asio::write(socket_.asio_ssl_stream(), asio::buffer(answer), ignored);
        socket_.asio_ssl_stream().shutdown(ignored);
        socket_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }

    TlsSocket socket_;
    RequestHeadGate gate_;
};

// restinio's hooks for this socket type, found by argument-dependent lookup: the TLS
// handshake before the first read (what restinio does for its own TLS socket), and the TLS
// state for the connection state listener.
template <typename Connection, typename StartRead, typename Failed>
void prepare_connection_and_start_read(GuardedTlsSocket& socket, Connection& connection, StartRead startRead,
                                       Failed failed) {
    restinio::prepare_connection_and_start_read(socket.tls(), connection, std::move(startRead),
                                                std::move(failed));
}
inline restinio::tls_socket_t* make_tls_socket_pointer_for_state_listener(GuardedTlsSocket& socket) noexcept {
    return &socket.tls();
}

}  // namespace dhtpush::proxy

namespace restinio {

// The TLS context among a server's settings, as for restinio's own TLS socket.
template <typename Settings>
class socket_type_dependent_settings_t<Settings, dhtpush::proxy::GuardedTlsSocket>
    : public socket_type_dependent_settings_t<Settings, tls_socket_t> {
protected:
    ~socket_type_dependent_settings_t() = default;

public:
    // Written out, not defaulted: a defaulted one would make this an aggregate in C++17, and
    // restinio's `base_type_t{}` would then need the base's protected destructor.
    socket_type_dependent_settings_t() {}  // NOLINT(modernize-use-equals-default)
    socket_type_dependent_settings_t(socket_type_dependent_settings_t&&) = default;
};

namespace impl {

// The acceptor's pool of sockets, each made with the settings' TLS context.
template <>
class socket_supplier_t<dhtpush::proxy::GuardedTlsSocket> {
protected:
    template <typename Settings>
    socket_supplier_t(Settings& settings, asio::io_context& io)
        : context_(settings.giveaway_tls_context()), io_(io) {
        sockets_.reserve(settings.concurrent_accepts_count());
        while (sockets_.size() < settings.concurrent_accepts_count()) sockets_.emplace_back(io_, context_);
    }
    virtual ~socket_supplier_t() = default;

    dhtpush::proxy::GuardedTlsSocket& socket(std::size_t index) { return sockets_.at(index); }
    // The accepted socket moves out; a fresh one takes its place for the next accept.
    dhtpush::proxy::GuardedTlsSocket move_socket(std::size_t index) {
        return std::exchange(sockets_.at(index), dhtpush::proxy::GuardedTlsSocket(io_, context_));
    }
    std::size_t concurrent_accept_sockets_count() const noexcept { return sockets_.size(); }

private:
    std::shared_ptr<asio::ssl::context> context_;
    asio::io_context& io_;
    std::vector<dhtpush::proxy::GuardedTlsSocket> sockets_;
};

}  // namespace impl
}  // namespace restinio
