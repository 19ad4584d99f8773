#pragma once
// Holds the node's listeners against one attacker's connections (docs/security.md):
// - at most `perAddress` open connections from one address (an IPv6 /64 counts as one),
//   over both listeners; past it a new connection is closed at once;
// - a TLS handshake must finish within `handshakeTimeout`: restinio 0.6.16 starts its own
//   timers only after the handshake, so a TCP connection that never starts TLS would be
//   held forever. Once a second the guard finds such connections among the process's
//   sockets (by their local and peer address) and shuts them down, which ends the
//   handshake with an error and lets restinio close the connection.
// 127.0.0.1 and ::1 (the operator's own machine or a reverse proxy in front of the node)
// are not counted (client_address.h). Everything runs on the io_context's
// one thread (restinio's single-thread traits): no locks.
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace dhtpush::proxy {

struct ConnectionGuardLimits {
    std::size_t perAddress{128};                    // 0: no limit
    std::chrono::milliseconds handshakeTimeout{10000};
};

class ConnectionGuard : public std::enable_shared_from_this<ConnectionGuard> {
public:
    ConnectionGuard(asio::io_context& io, ConnectionGuardLimits limits);

    // A connection was accepted on a listener (`tls`: the HTTPS one, whose local port is
    // `localPort`). False: refuse it (the address is at its limit).
    bool admit(const asio::ip::tcp::endpoint& remote, bool tls, std::uint16_t localPort);
    // restinio's notices of the listener on `localPort`: the connection is ready for HTTP
    // (TLS: the handshake is done), or closed. The port matters: a client may use the same
    // address and port towards both listeners, and the HTTP one must not clear a TLS deadline.
    void ready(const asio::ip::tcp::endpoint& remote, std::uint16_t localPort);
    void closed(const asio::ip::tcp::endpoint& remote, std::uint16_t localPort);
    void stop();

    std::uint64_t refused() const { return refused_; }
    std::uint64_t handshakeTimeouts() const { return handshakeTimeouts_; }
    // A listener issued `n` accepts again after accept() failed (accept_limiter.h).
    void countAcceptRestarts(std::size_t n) { acceptRestarts_ += n; }
    std::uint64_t acceptRestarts() const { return acceptRestarts_; }

private:
    using Connection = std::pair<std::uint16_t, asio::ip::tcp::endpoint>;  // local port, peer
    void scheduleSweep();
    void sweep();

    asio::steady_timer timer_;
    ConnectionGuardLimits limits_;
    std::map<std::string, std::size_t> open_;                 // by address key
    std::map<Connection, std::chrono::steady_clock::time_point> handshakes_;  // TLS, not done by then
    bool sweeping_{false};
    bool stopped_{false};
    std::atomic<std::uint64_t> refused_{0}, handshakeTimeouts_{0}, acceptRestarts_{0};
};

// Shuts down the process's TCP sockets whose local port is `localPort` and whose peer is in
// `peers`; returns how many. Reads /proc/self/fd (Linux).
std::size_t shutdownSockets(std::uint16_t localPort, const std::set<asio::ip::tcp::endpoint>& peers);

}  // namespace dhtpush::proxy
