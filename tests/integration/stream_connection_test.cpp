// An event stream's connection once the node takes its socket out of restinio
// (proxy/src/stream_connection.h): what restinio did for it must still happen. Raw TCP
// clients from 127.0.0.2 (not the exempt 127.0.0.1) against a real proxy, so that the
// per-address connection count shows whether the node still counts, and gives back, the
// stream's connection.

#include <chrono>
#include <string>

#include "await.h"
#include "dhtpush/client/webpush_sender.h"
#include "keyed_device.h"
#include "proxy_fixture.h"
#include "raw_http.h"
#include "raw_tls.h"
#include "self_signed_certificate.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Opens the device's event stream on `connection` and reads up to its first event.
std::string openStream(RawConnection& connection, const client::ProxyAccount& account) {
    connection.send("GET /v1/devices/" + account.deviceId + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    "Authorization: Bearer " + account.secret + "\r\n\r\n");
    return connection.readUntil([](const std::string& read) { return contains(read, ": connected"); },
                                std::chrono::seconds(10));
}

// True when a new connection from 127.0.0.2 is served (not refused for its address).
bool addressHasRoom(std::uint16_t port) {
    RawConnection probe("127.0.0.2", port);
    return !probe.closedWithin(std::chrono::milliseconds(200));
}

}  // namespace

TEST_CASE("an event stream's connection counts for its address until it ends with its last chunk",
          "[integration][security]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.maxStreamsPerDevice = 1;
    config.connectionsPerAddress = 1;
    RunningProxy proxy(network, config);
    const KeyedDevice device(proxy.url());
    const auto port = portOf(proxy.httpUrl());

    RawConnection stream("127.0.0.2", port);
    const auto head = openStream(stream, device.account);
    CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(contains(head, "Content-Type: text/event-stream\r\n"));
    CHECK(contains(head, "Transfer-Encoding: chunked\r\n"));
    CHECK(contains(head, "\r\n\r\n19\r\nretry: 3000\n: connected\n\n\r\n"));
    REQUIRE(waitUntil([&] { return healthField(proxy.url(), "streams_open") == 1; }));
    // The stream's connection still counts for its address: a second one is refused.
    CHECK_FALSE(addressHasRoom(port));

    REQUIRE(client::sendPush(device.endpointOn(proxy.url()), "on the raw stream", device.encrypted()).ok());
    CHECK(contains(stream.readUntil([](const std::string& read) { return contains(read, "event: message"); },
                                    std::chrono::seconds(10)),
                   "event: message"));

    // The device opens another stream (from 127.0.0.1): the raw one ends, whole, and closes.
    EventRecorder second(device.account);
    const auto end = stream.readAll(std::chrono::seconds(10));
    CHECK(end.size() >= 5);
    CHECK(end.substr(end.size() - std::min<std::size_t>(end.size(), 5)) == "0\r\n\r\n");
    CHECK(stream.closedWithin(std::chrono::seconds(1)));
    CHECK(waitUntil([&] { return addressHasRoom(port); }));
    CHECK(healthField(proxy.url(), "streams_open") == 1);
}

// What restinio's write time limit did for a stream's connection: a device that stops
// reading is closed, and its connection no longer counts for its address.
TEST_CASE("a device that stops reading loses its stream and its connection", "[integration][security]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.connectionsPerAddress = 1;
    config.rates.postsPerSubscription = 0;
    config.keepAlive = std::chrono::seconds(1);
    RunningProxy proxy(network, config);
    const KeyedDevice device(proxy.url());
    const auto port = portOf(proxy.httpUrl());

    RawConnection stream("127.0.0.2", port, 0, 4096);
    REQUIRE(contains(openStream(stream, device.account), ": connected"));
    REQUIRE(waitUntil([&] { return healthField(proxy.url(), "streams_open") == 1; }));
    // TTL 0: live only, so no mailbox limit answers first. 3,000 bytes each: the kernel's
    // buffers fill within a few hundred; past them the node has 256 writes or 5 s of waiting.
    const std::string body(3000, 'x');
    bool open = true;
    for (int i = 0; i < 4000 && open; ++i) {
        client::sendPush(device.endpointOn(proxy.url()), body, pushOptions(0));
        if (i % 20 == 19) open = healthField(proxy.url(), "streams_open") != 0;
    }
    CHECK_FALSE(open);
    CHECK(waitUntil([&] { return addressHasRoom(port); }));
}

// The node reads nothing from a stream after its request, but keeps one read outstanding: a
// device whose client closes the connection loses its stream at once, not at the stream's
// next write (here a keep-alive a minute away; the deadlines are well inside it), over either
// listener.
TEST_CASE("a device that closes its event stream is forgotten at once over HTTP and HTTPS",
          "[integration][security]") {
    LocalDhtNetwork network(2);
    TempDir dir;
    const SelfSignedCertificate certificate(dir.path().string());
    proxy::ProxyConfig config;
    config.connectionsPerAddress = 1;
    config.keepAlive = std::chrono::seconds(60);
    config.https.certFile = certificate.certFile;
    config.https.keyFile = certificate.keyFile;
    RunningProxy proxy(network, config);
    const KeyedDevice device(proxy.httpUrl());  // url() is the HTTPS one here
    const auto streamsOpen = [&] { return healthField(proxy.httpUrl(), "streams_open"); };
    const auto port = portOf(proxy.httpUrl());

    {
        RawConnection stream("127.0.0.2", port);
        REQUIRE(contains(openStream(stream, device.account), ": connected"));
        REQUIRE(waitUntil([&] { return streamsOpen() == 1; }));
    }  // the client closes
    CHECK(waitUntil([&] { return streamsOpen() == 0; }, std::chrono::seconds(15)));
    CHECK(addressHasRoom(port));

    {
        RawTlsConnection stream("127.0.0.2", portOf(proxy.httpsUrl()));
        // Reads what comes for 3 s (the head comes at once), then closes.
        const auto read = stream.exchange("GET /v1/devices/" + device.account.deviceId +
                                              "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                              device.account.secret + "\r\n\r\n",
                                          std::chrono::seconds(3));
        REQUIRE(contains(read, ": connected"));
    }
    CHECK(waitUntil([&] { return streamsOpen() == 0; }, std::chrono::seconds(15)));
    CHECK(healthField(proxy.httpUrl(), "streams_opened") == 2);
}
