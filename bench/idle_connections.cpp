#include "idle_connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <iostream>
#include <vector>

namespace dhtpush::bench {
namespace {

constexpr int SWEEP_MS = 200;  // how often closed connections are opened again

int openIdle(std::uint16_t port, std::size_t i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7f000002u + static_cast<std::uint32_t>(i % 79));  // 127.0.0.2-80
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool closedByPeer(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    char byte;
    return ::recv(fd, &byte, 1, MSG_DONTWAIT) == 0 || (p.revents & (POLLERR | POLLHUP)) != 0;
}

// True once stdin is closed (or readable: the parent writes nothing), after at most `ms`.
bool stdinClosed(int ms) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
}

}  // namespace

int runIdleConnections(const std::map<std::string, std::string>& options) {
    const auto port = static_cast<std::uint16_t>(std::stoul(options.at("--port")));
    std::vector<int> fds(std::stoul(options.at("--count")), -1);
    std::uint64_t opened = 0;
    do {
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i] >= 0 && !closedByPeer(fds[i])) continue;
            if (fds[i] >= 0) ::close(fds[i]);
            fds[i] = openIdle(port, i);
            if (fds[i] >= 0) ++opened;
        }
    } while (!stdinClosed(SWEEP_MS));
    for (const int fd : fds)
        if (fd >= 0) ::close(fd);
    std::cout << "{\"opened\": " << opened << "}" << std::endl;
    return 0;
}

}  // namespace dhtpush::bench
