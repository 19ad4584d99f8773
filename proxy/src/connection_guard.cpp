#include "connection_guard.h"

#include "client_address.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

namespace dhtpush::proxy {
namespace {

constexpr auto SWEEP_INTERVAL = std::chrono::seconds(1);

bool toEndpoint(const sockaddr_storage& ss, asio::ip::tcp::endpoint& out) {
    if (ss.ss_family == AF_INET) {
        sockaddr_in in{};
        std::memcpy(&in, &ss, sizeof in);
        out = {asio::ip::address_v4(ntohl(in.sin_addr.s_addr)), ntohs(in.sin_port)};
        return true;
    }
    if (ss.ss_family == AF_INET6) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, &ss, sizeof in6);
        asio::ip::address_v6::bytes_type bytes;
        std::memcpy(bytes.data(), in6.sin6_addr.s6_addr, bytes.size());
        out = {asio::ip::address_v6(bytes, in6.sin6_scope_id), ntohs(in6.sin6_port)};
        return true;
    }
    return false;
}

bool endpointOf(int fd, bool peer, asio::ip::tcp::endpoint& out) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return false;
    return toEndpoint(ss, out);
}

}  // namespace

std::size_t shutdownSockets(std::uint16_t localPort, const std::set<asio::ip::tcp::endpoint>& peers) {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return 0;
    std::size_t done = 0;
    const int dirFd = ::dirfd(dir);
    while (auto* entry = ::readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || fd == dirFd) continue;
        int type = 0;
        socklen_t len = sizeof type;
        if (::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
        asio::ip::tcp::endpoint local, remote;
        if (!endpointOf(static_cast<int>(fd), false, local) || local.port() != localPort) continue;
        // why: matched by the whole 4-tuple, so a descriptor reused by another connection
        // since the deadline was set is never touched.
        if (!endpointOf(static_cast<int>(fd), true, remote) || peers.count(remote) == 0) continue;
        if (::shutdown(static_cast<int>(fd), SHUT_RDWR) == 0) ++done;
    }
    ::closedir(dir);
    return done;
}

ConnectionGuard::ConnectionGuard(asio::io_context& io, ConnectionGuardLimits limits) : timer_(io), limits_(limits) {}

bool ConnectionGuard::admit(const asio::ip::tcp::endpoint& remote, bool tls, std::uint16_t localPort) {
    if (stopped_) return false;
    if (!isExemptSource(remote.address())) {
        auto& count = open_[sourceKey(remote.address())];
        if (limits_.perAddress && count >= limits_.perAddress) {
            if (count == 0) open_.erase(sourceKey(remote.address()));
            ++refused_;
            return false;
        }
        ++count;
    }
    if (tls) {
        handshakes_[{localPort, remote}] = std::chrono::steady_clock::now() + limits_.handshakeTimeout;
        scheduleSweep();
    }
    return true;
}

void ConnectionGuard::ready(const asio::ip::tcp::endpoint& remote, std::uint16_t localPort) {
    handshakes_.erase({localPort, remote});
}

void ConnectionGuard::closed(const asio::ip::tcp::endpoint& remote, std::uint16_t localPort) {
    handshakes_.erase({localPort, remote});
    auto it = open_.find(sourceKey(remote.address()));
    if (it == open_.end()) return;
    if (--it->second == 0) open_.erase(it);
}

void ConnectionGuard::stop() {
    stopped_ = true;
    timer_.cancel();
}

void ConnectionGuard::scheduleSweep() {
    if (sweeping_ || stopped_) return;
    sweeping_ = true;
    timer_.expires_after(SWEEP_INTERVAL);
    timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
        if (auto self = weak.lock()) {
            self->sweeping_ = false;
            if (!ec) self->sweep();
        }
    });
}

void ConnectionGuard::sweep() {
    const auto now = std::chrono::steady_clock::now();
    std::map<std::uint16_t, std::set<asio::ip::tcp::endpoint>> expired;  // by local port
    for (auto it = handshakes_.begin(); it != handshakes_.end();) {
        if (it->second > now) {
            ++it;
            continue;
        }
        expired[it->first.first].insert(it->first.second);
        it = handshakes_.erase(it);
    }
    for (const auto& [port, peers] : expired) handshakeTimeouts_ += shutdownSockets(port, peers);
    if (!handshakes_.empty()) scheduleSweep();
}

}  // namespace dhtpush::proxy
