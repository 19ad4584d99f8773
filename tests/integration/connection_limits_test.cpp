// Issue 12, "Resource exhaustion": an attacker's idle connections. Raw TCP clients from
// other loopback addresses (127.0.0.2, 127.0.0.3: not the exempt 127.0.0.1) against a real
// proxy's HTTP and HTTPS listeners.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "await.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/node/json.h"
#include "proxy_fixture.h"
#include "self_signed_certificate.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

// A TCP connection from `source` to 127.0.0.1:port; closed with the object.
class RawConnection {
public:
    RawConnection(const char* source, std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_in from{};
        from.sin_family = AF_INET;
        REQUIRE(::inet_pton(AF_INET, source, &from.sin_addr) == 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    }
    ~RawConnection() { ::close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // True when the server closed the connection within `timeout`.
    bool closedWithin(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
        char buffer[256];
        return ::recv(fd_, buffer, sizeof buffer, 0) <= 0;
    }
    // The status line of a GET /health on this connection.
    std::string health() {
        const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        REQUIRE(::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
        pollfd p{fd_, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 10000) == 1);
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        REQUIRE(n > 0);
        const std::string response(buffer, static_cast<std::size_t>(n));
        return response.substr(0, response.find("\r\n"));
    }

private:
    int fd_;
};

std::uint64_t connectionCounter(const RunningProxy& proxy, const char* name) {
    auto response = client::httpRequest({"GET", proxy.httpUrl() + "/health", {}, {}});
    if (!response) return 0;
    auto json = node::parseJson(response->body);
    return json ? (*json)["connections"][name].asUInt64() : 0;
}

}  // namespace

// Regression (issue 12): restinio starts its timers after the TLS handshake, so a TCP
// connection that never started TLS was held forever.
TEST_CASE("a TLS handshake that does not finish in time is closed", "[integration][security][https]") {
    TempDir dir;
    const SelfSignedCertificate certificate(dir.path().string());
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.https.certFile = certificate.certFile;
    config.https.keyFile = certificate.keyFile;
    config.tlsHandshakeTimeout = std::chrono::milliseconds(500);
    RunningProxy proxy(network, config);
    const auto port = static_cast<std::uint16_t>(std::stoi(proxy.httpsUrl().substr(proxy.httpsUrl().rfind(':') + 1)));

    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 5; ++i) idle.push_back(std::make_unique<RawConnection>("127.0.0.2", port));
    for (auto& connection : idle) CHECK(connection->closedWithin(std::chrono::seconds(5)));
    CHECK(connectionCounter(proxy, "handshake_timeouts") == 5);
    // Plain HTTP connections are not touched by the TLS deadline.
    RawConnection plain("127.0.0.2", static_cast<std::uint16_t>(std::stoi(proxy.httpUrl().substr(proxy.httpUrl().rfind(':') + 1))));
    CHECK_FALSE(plain.closedWithin(std::chrono::milliseconds(1500)));
    CHECK(plain.health() == "HTTP/1.1 200 OK");
}

// Regression (issue 12): one address could hold every connection the listener allows.
TEST_CASE("one address holds a bounded number of connections; others still get in", "[integration][security]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.connectionsPerAddress = 3;
    RunningProxy proxy(network, config);
    const auto port = static_cast<std::uint16_t>(std::stoi(proxy.httpUrl().substr(proxy.httpUrl().rfind(':') + 1)));

    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawConnection>("127.0.0.2", port));
    CHECK(held.back()->health() == "HTTP/1.1 200 OK");  // all three are served
    RawConnection fourth("127.0.0.2", port);
    CHECK(fourth.closedWithin(std::chrono::seconds(5)));
    CHECK(connectionCounter(proxy, "refused_per_address") == 1);
    RawConnection other("127.0.0.3", port);
    CHECK(other.health() == "HTTP/1.1 200 OK");
    // A closed connection gives its place back.
    held.pop_back();
    CHECK(waitUntil([&] {
        RawConnection again("127.0.0.2", port);
        return !again.closedWithin(std::chrono::milliseconds(200));
    }));
}
