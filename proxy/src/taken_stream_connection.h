#pragma once
// StreamConnection over the socket of a restinio connection_t<Traits>, taken after the
// request was parsed (stream_connection.h). Socket is what the stream keeps of the listener's
// socket type: the TCP socket (plain) or the TLS socket.
#include <asio/dispatch.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include <restinio/all.hpp>
#include <restinio/tls_fwd.hpp>

#include "dhtpush/node/log.h"
#include "stream_connection.h"

namespace dhtpush::proxy {

// Writes what the socket takes at once and never waits: the last chunk of a stream being
// closed, which a client that stopped reading must not hold open.
void writeWithoutWaiting(asio::ip::tcp::socket& socket, const std::string& bytes);
void writeWithoutWaiting(restinio::tls_socket_t& socket, const std::string& bytes);  // https_listener.cpp

// "<size in hex>\r\n<text>\r\n": one chunk of a chunked response.
std::string httpChunk(const std::string& text);

template <class Traits, class Socket>
class TakenStreamConnection final : public StreamConnection,
                                    public std::enable_shared_from_this<TakenStreamConnection<Traits, Socket>> {
public:
    using Settings = restinio::impl::connection_settings_handle_t<Traits>;
    using LifetimeMonitor = typename restinio::connection_count_limit_types<Traits>::lifetime_monitor_t;

    TakenStreamConnection(Socket socket, Settings settings, LifetimeMonitor monitor, ConnectionId id,
                          asio::ip::tcp::endpoint remote)
        : socket_(std::move(socket)), settings_(std::move(settings)), monitor_(std::move(monitor)), id_(id),
          remote_(remote) {}

    // The response head: the first bytes on the socket; from then on, one read outstanding.
    void begin(std::string head) {
        queue(std::move(head));
        asio::dispatch(socket_.get_executor(), [self = this->shared_from_this()] { self->watchForClose(); });
    }

    bool sendChunk(std::string text) override {
        if (!alive_) return false;
        if (stalled()) {
            // A refused limit leaves a line (sampled: many stalled devices are one line a while).
            log::sampled(log::Level::warn, "event stream closed: its client stopped reading",
                         "256 writes waiting, or one on the socket past the write time limit");
            close();
            return false;
        }
        queue(httpChunk(text));
        return true;
    }

    void close() override {
        if (closing_.exchange(true)) return;
        alive_ = false;
        asio::dispatch(socket_.get_executor(), [self = this->shared_from_this()] { self->finish(); });
    }

    bool alive() const override { return alive_; }

private:
    using Clock = std::chrono::steady_clock;

    static std::int64_t nowMs() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
    }

    // What restinio's write guard did for the connection: a write on the socket longer than
    // the listener's limit means the client stopped reading. Checked at each send and each
    // keep-alive ping, so a stalled stream is closed within a keep-alive interval of the limit.
    bool stalled() const {
        if (queued_ >= MAX_WRITES_QUEUED) return true;
        const auto since = writingSinceMs_.load();
        const auto limit =
            std::chrono::duration_cast<std::chrono::milliseconds>(settings_->m_write_http_response_timelimit);
        return since != 0 && nowMs() - since > limit.count();
    }

    // Any thread; the bytes go to the socket's executor, where the rest runs.
    void queue(std::string bytes) {
        ++queued_;
        asio::dispatch(socket_.get_executor(), [self = this->shared_from_this(), bytes = std::move(bytes)]() mutable {
            if (!self->open_) return;
            self->pending_ += bytes;
            ++self->pendingWrites_;
            if (self->writing_.empty()) self->startWrite();
        });
    }

    // A stream reads nothing after its request, so a read that ends means the client closed
    // (EOF), reset the connection, or sent bytes it must not send: the stream ends now, not at
    // its next write (a keep-alive up to 15 s later; until then a device that went away held a
    // descriptor, and a reconnecting device two). One byte: a client that sends more is closed
    // after the first.
    void watchForClose() {
        if (!open_) return;
        socket_.async_read_some(asio::buffer(&readProbe_, 1),
                                [self = this->shared_from_this()](const asio::error_code&, std::size_t) {
                                    if (!self->open_) return;  // closed by us: the read was cancelled
                                    self->alive_ = false;
                                    self->finish();
                                });
    }

    // Everything queued since the last write goes in one: a burst of events is one syscall.
    void startWrite() {
        writing_ = std::move(pending_);
        pending_ = std::string();
        writingWrites_ = pendingWrites_;
        pendingWrites_ = 0;
        writingSinceMs_ = nowMs();
        asio::async_write(socket_, asio::buffer(writing_),
                          [self = this->shared_from_this()](const asio::error_code& ec, std::size_t) {
                              self->written(ec);
                          });
    }

    void written(const asio::error_code& ec) {
        queued_ -= writingWrites_;
        writingWrites_ = 0;
        writingSinceMs_ = 0;
        // An idle stream, most of a node's, holds no buffer.
        writing_ = std::string();
        if (!open_) return;
        if (ec) {
            alive_ = false;
            finish();
            return;
        }
        if (!pending_.empty()) startWrite();
    }

    // On the socket's executor: the last chunk when the socket is idle, then the close, then
    // the listener's closed notice (the connection guard and the delivery hub hear of it).
    void finish() {
        if (!open_) return;
        open_ = false;
        if (writing_.empty()) writeWithoutWaiting(socket_, "0\r\n\r\n");
        asio::error_code ignored;
        socket_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        pending_ = std::string();
        settings_->call_state_listener_suppressing_exceptions([this]() noexcept {
            return restinio::connection_state::notice_t{id_, remote_, restinio::connection_state::closed_t{}};
        });
    }

    Socket socket_;
    Settings settings_;
    LifetimeMonitor monitor_;  // counts the connection in the listener's limit until it goes
    ConnectionId id_;
    asio::ip::tcp::endpoint remote_;
    std::atomic<bool> alive_{true}, closing_{false};
    std::atomic<std::size_t> queued_{0};          // writes not yet on the socket
    std::atomic<std::int64_t> writingSinceMs_{0};  // steady ms; 0: no write on the socket
    // The socket executor's only:
    bool open_{true};
    std::string writing_, pending_;
    std::size_t writingWrites_{0}, pendingWrites_{0};
    char readProbe_{0};  // the outstanding read's one byte (watchForClose)
};

// The taking itself (see StreamTaker): `bare` turns the listener's socket into Socket.
template <class Traits, class Socket, class Bare>
std::shared_ptr<StreamConnection> takeStreamConnection(const RequestHandle& req, const std::string& head, Bare bare) {
    auto& held = restinio::impl::access_req_connection(*req);
    auto* connection = dynamic_cast<restinio::impl::connection_t<Traits>*>(held.get());
    if (!connection) return nullptr;
    auto internals = connection->move_upgrade_internals();
    auto taken = std::make_shared<TakenStreamConnection<Traits, Socket>>(
        bare(std::move(internals.m_socket)), std::move(internals.m_settings),
        std::move(internals.m_lifetime_monitor), req->connection_id(), req->remote_endpoint());
    // restinio's connection, now without its socket, goes when its read handler returns: with
    // one request at a time per connection it reads nothing more while this one is unanswered.
    held.reset();
    taken->begin(head);
    return taken;
}

}  // namespace dhtpush::proxy
