// Issue 12, "Resource exhaustion": an attacker's idle connections. Raw TCP clients from
// other loopback addresses (127.0.0.2, 127.0.0.3: not the exempt 127.0.0.1) against a real
// proxy's HTTP and HTTPS listeners.

#include <chrono>
#include <string>
#include <vector>

#include "await.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/node/json.h"
#include "health_json.h"
#include "proxy_fixture.h"
#include "raw_http.h"
#include "raw_tls.h"
#include "self_signed_certificate.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

// The status line of a GET /health on an open connection, which stays open.
std::string health(RawConnection& connection) {
    connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const auto response = connection.readAll(std::chrono::milliseconds(500));
    return response.substr(0, response.find("\r\n"));
}

// HTTPS with a self-signed certificate in `dir`, and a TLS handshake deadline of 500 ms.
proxy::ProxyConfig withShortTlsDeadline(const TempDir& dir) {
    const SelfSignedCertificate certificate(dir.path().string());
    proxy::ProxyConfig config;
    config.https.certFile = certificate.certFile;
    config.https.keyFile = certificate.keyFile;
    config.tlsHandshakeTimeout = std::chrono::milliseconds(500);
    return config;
}

std::uint64_t connectionCounter(const RunningProxy& proxy, const char* name) {
    auto json = healthJson(proxy.httpUrl());
    return json ? (*json)["connections"][name].asUInt64() : 0;
}

}  // namespace

// Regression (issue 12): restinio starts its timers after the TLS handshake, so a TCP
// connection that never started TLS was held forever.
TEST_CASE("a TLS handshake that does not finish in time is closed", "[integration][security][https]") {
    TempDir dir;
    LocalDhtNetwork network(2);
    RunningProxy proxy(network, withShortTlsDeadline(dir));
    const auto port = portOf(proxy.httpsUrl());

    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 5; ++i) idle.push_back(std::make_unique<RawConnection>("127.0.0.2", port));
    for (auto& connection : idle) CHECK(connection->closedWithin(std::chrono::seconds(5)));
    CHECK(connectionCounter(proxy, "handshake_timeouts") == 5);
    // Plain HTTP connections are not touched by the TLS deadline.
    RawConnection plain("127.0.0.2", portOf(proxy.httpUrl()));
    CHECK_FALSE(plain.closedWithin(std::chrono::milliseconds(1500)));
    CHECK(health(plain) == "HTTP/1.1 200 OK");
}

// Regression (issue 12): one address could hold every connection the listener allows.
TEST_CASE("one address holds a bounded number of connections, others still get in", "[integration][security]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.connectionsPerAddress = 3;
    RunningProxy proxy(network, config);
    const auto port = portOf(proxy.httpUrl());

    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawConnection>("127.0.0.2", port));
    CHECK(health(*held.back()) == "HTTP/1.1 200 OK");  // all three are served
    RawConnection fourth("127.0.0.2", port);
    CHECK(fourth.closedWithin(std::chrono::seconds(5)));
    CHECK(connectionCounter(proxy, "refused_per_address") == 1);
    RawConnection other("127.0.0.3", port);
    CHECK(health(other) == "HTTP/1.1 200 OK");
    // A closed connection gives its place back.
    held.pop_back();
    CHECK(waitUntil([&] {
        RawConnection again("127.0.0.2", port);
        return !again.closedWithin(std::chrono::milliseconds(200));
    }));
}

// Regression (review): the deadline was keyed by the peer's address and port only, so a plain
// HTTP connection from the same address and port cleared a stalled TLS handshake's deadline.
TEST_CASE("a plain connection from the same address and port does not lift a TLS deadline", "[integration][security][https]") {
    TempDir dir;
    LocalDhtNetwork network(2);
    RunningProxy proxy(network, withShortTlsDeadline(dir));
    constexpr std::uint16_t SOURCE_PORT = 47123;
    RawConnection stalled("127.0.0.2", portOf(proxy.httpsUrl()), SOURCE_PORT);
    RawConnection plain("127.0.0.2", portOf(proxy.httpUrl()), SOURCE_PORT);
    CHECK(health(plain) == "HTTP/1.1 200 OK");
    CHECK(stalled.closedWithin(std::chrono::seconds(5)));
}

// Regression (issue 12): restinio 0.6.16's connection limiter kept a slot for every
// connection its IP blocker refused, so after max_parallel_connections refusals (here 8) a
// listener never accepted again: one client could stop a node in seconds.
TEST_CASE("connections refused for their address do not use up a listener", "[integration][security][https]") {
    TempDir dir;
    LocalDhtNetwork network(2);
    auto config = withShortTlsDeadline(dir);
    config.connectionsPerAddress = 1;
    config.maxConnections = 8;
    RunningProxy proxy(network, config);
    for (const auto& url : {proxy.httpUrl(), proxy.httpsUrl()}) {
        INFO(url);
        const auto port = portOf(url);
        RawConnection held("127.0.0.2", port);
        int closedAtOnce = 0;
        for (int i = 0; i < 30; ++i) closedAtOnce += RawConnection("127.0.0.2", port).closedWithin(std::chrono::seconds(5));
        CHECK(closedAtOnce == 30);
        const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        std::string answer;
        if (url == proxy.httpUrl()) {
            RawConnection other("127.0.0.3", port);
            other.send(request);
            answer = other.readAll();
        } else {
            answer = RawTlsConnection("127.0.0.3", port).exchange(request);
        }
        CHECK(answer.rfind("HTTP/1.1 200 OK", 0) == 0);
    }
    CHECK(connectionCounter(proxy, "refused_per_address") == 60);
}
