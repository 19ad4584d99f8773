// Issue 12, "Unauthenticated state" and "Rate limits (RFC 8030 §8.4)": per-source limits and
// node-wide caps on a real proxy, over HTTP from several loopback source addresses
// (127.0.0.2, 127.0.0.3: not the exempt 127.0.0.1). Each case failed on the code before,
// where every request got through.
#include <ctime>
#include <string>
#include <vector>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/node/json.h"
#include "health_json.h"
#include "keyed_device.h"
#include "proxy_fixture.h"
#include "raw_http.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

RawResponse attachFrom(const std::string& source, const RunningProxy& proxy, std::vector<std::string> headers = {}) {
    return rawRequest(source, portOf(proxy.httpUrl()), "POST", "/v1/devices", headers);
}

RawResponse postFrom(const std::string& source, const RunningProxy& proxy, const std::string& token,
                     std::vector<std::string> headers = {}) {
    headers.push_back("TTL: 60");
    return rawRequest(source, portOf(proxy.httpUrl()), "POST", "/wp/" + token, headers, "x");
}

void requireRefused(const RawResponse& response, int status) {
    CHECK(response.status == status);
    CHECK(response.headers.count("retry-after") == 1);
    CHECK(response.headers.count("content-type") == 1);
    if (response.headers.count("content-type")) CHECK(response.headers.at("content-type") == "application/problem+json");
}

std::uint64_t refusals(const RunningProxy& proxy, const char* limit) {
    auto json = healthJson(proxy.url());
    REQUIRE(json);
    return (*json)["refusals"][limit].asUInt64();
}

}  // namespace

// Regression (issue 12): anyone could create devices without limit (18k in 5 s).
TEST_CASE("one address attaches a bounded number of devices, another still can", "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.rates.attachesPerMinute = 2;  // a burst of 4, then one every 30 s
    RunningProxy proxy(network, config);
    for (int i = 0; i < 4; ++i) CHECK(attachFrom("127.0.0.2", proxy).status == 201);
    auto refused = attachFrom("127.0.0.2", proxy);
    requireRefused(refused, 429);
    CHECK(std::stoi(refused.headers["retry-after"]) >= 1);
    CHECK(attachFrom("127.0.0.3", proxy).status == 201);
    CHECK(refusals(proxy, "attaches_per_address") == 1);
}

TEST_CASE("a proxy holds at most --max-devices and --max-subscriptions, then answers 507", "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.maxDevices = 2;
    config.maxSubscriptions = 3;
    RunningProxy proxy(network, config);
    auto first = client::attachDevice(proxy.url());
    REQUIRE(first.ok());
    REQUIRE(client::attachDevice(proxy.url()).ok());
    requireRefused(attachFrom("127.0.0.1", proxy), 507);
    for (int i = 0; i < 3; ++i) REQUIRE(client::addSubscription(*first, "").ok());
    auto full = client::addSubscription(*first, "");
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().code == Errc::StorageFull);
    // A deleted device makes room again.
    REQUIRE(client::httpRequest({"DELETE", proxy.url() + "/v1/devices/" + first->deviceId,
                                 {"Authorization: Bearer " + first->secret}, {}})
                ->status == 204);
    CHECK(client::attachDevice(proxy.url()).ok());
}

TEST_CASE("a proxy bounds the DHT listens that devices' own tokens cost", "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.maxListens = 2;
    RunningProxy proxy(network, config);
    auto device = client::attachDevice(proxy.url());
    REQUIRE(device.ok());
    for (int i = 0; i < 2; ++i) REQUIRE(client::addSubscription(*device, crypto::SubscriptionToken::generate().text()).ok());
    REQUIRE(waitUntil([&] {
        auto response = client::httpRequest({"GET", proxy.url() + "/health", {}, {}});
        return response.ok() && (*node::parseJson(response->body))["dht_listens"].asUInt() >= 2;
    }));
    auto refused = client::addSubscription(*device, crypto::SubscriptionToken::generate().text());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::StorageFull);
    // An inbox token shares a listen the proxy has anyway: still taken.
    CHECK(client::addSubscription(*device, "").ok());
}

// An inbox token of another proxy is 16 DHT listens (one per lane), not one.
TEST_CASE("a device's inbox token from elsewhere counts one DHT listen per lane", "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.maxListens = crypto::INBOX_LANES + 1;
    RunningProxy proxy(network, config);
    auto device = client::attachDevice(proxy.url());
    REQUIRE(device.ok());
    auto foreignInbox = [] {
        return crypto::SubscriptionToken::generateInInbox(crypto::randomBytes(crypto::INBOX_ID_BYTES))->text();
    };
    auto listens = [&] {
        auto response = client::httpRequest({"GET", proxy.url() + "/health", {}, {}});
        return response.ok() ? (*node::parseJson(response->body))["dht_listens"].asUInt64() : 0;
    };
    REQUIRE(client::addSubscription(*device, foreignInbox()).ok());
    REQUIRE(waitUntil([&] { return listens() == crypto::INBOX_LANES; }));
    REQUIRE(client::addSubscription(*device, crypto::SubscriptionToken::generate().text()).ok());  // the 17th
    REQUIRE(waitUntil([&] { return listens() == crypto::INBOX_LANES + 1; }));
    auto refused = client::addSubscription(*device, foreignInbox());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::StorageFull);
}

TEST_CASE("a closed proxy attaches only devices that bring its invite", "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.inviteSecret = "an invite for friends";
    RunningProxy proxy(network, config);
    CHECK(attachFrom("127.0.0.2", proxy).status == 401);
    CHECK(attachFrom("127.0.0.2", proxy, {"Authorization: Bearer a wrong invite"}).status == 401);
    CHECK(attachFrom("127.0.0.2", proxy, {"Authorization: Bearer an invite for friends"}).status == 201);
}

// Regression (review): the invite was checked before the attach rate, so guesses were free.
TEST_CASE("guessing a closed proxy's invite is limited like attaching", "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.inviteSecret = "an invite for friends";
    config.rates.attachesPerMinute = 2;  // a burst of 4
    RunningProxy proxy(network, config);
    for (int i = 0; i < 4; ++i) CHECK(attachFrom("127.0.0.2", proxy, {"Authorization: Bearer guess " + std::to_string(i)}).status == 401);
    requireRefused(attachFrom("127.0.0.2", proxy, {"Authorization: Bearer an invite for friends"}), 429);
}

// Regression (review): unsigned POSTs to a bound endpoint, refused with 403, still spent the
// subscription's budget, so a stranger could make the real app server get 429.
TEST_CASE("refused senders do not spend a bound subscription's budget", "[integration][limits]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.rates.postsPerSubscription = 1;  // a burst of 10
    RunningProxy proxy(network, config);
    const auto appServer = newVapidKeys();
    const KeyedDevice device(proxy.url(), appServer.publicKey);
    for (int i = 0; i < 15; ++i) CHECK(postFrom("127.0.0.2", proxy, device.subscription.token).status == 403);
    CHECK(client::sendPush(device.endpointOn(proxy.url()), "signed", signedWith(device.encrypted(), appServer)).ok());
}

// Regression (issue 12): nothing limited a sender (RFC 8030 §8.4).
TEST_CASE("a flood to one subscription gets 429 while another subscription is served", "[integration][limits]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.rates.postsPerSubscription = 1;  // a burst of 10
    RunningProxy proxy(network, config);
    const KeyedDevice flooded(proxy.url()), other(proxy.url());
    for (int i = 0; i < 10; ++i) CHECK(postFrom("127.0.0.2", proxy, flooded.subscription.token).status == 201);
    requireRefused(postFrom("127.0.0.3", proxy, flooded.subscription.token), 429);  // whoever sends
    CHECK(postFrom("127.0.0.2", proxy, other.subscription.token).status == 201);
}

TEST_CASE("one address posts at a bounded rate, another address is served", "[integration][limits]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.rates.postsPerSecond = 0.5;  // a burst of 1: the second POST within 2 s is refused
    RunningProxy proxy(network, config);
    const KeyedDevice device(proxy.url());
    CHECK(postFrom("127.0.0.2", proxy, device.subscription.token).status == 201);
    requireRefused(postFrom("127.0.0.2", proxy, device.subscription.token), 429);
    CHECK(postFrom("127.0.0.3", proxy, device.subscription.token).status == 201);
}

TEST_CASE("an application server key posts at a bounded rate, forged headers do not spend it", "[integration][limits]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.rates.postsPerVapidKey = 1;  // a burst of 2
    RunningProxy proxy(network, config);
    const auto appServer = newVapidKeys(), forger = newVapidKeys();
    const KeyedDevice device(proxy.url(), appServer.publicKey);
    const auto endpoint = device.endpointOn(proxy.url());
    // A forger names the app server's key but cannot sign with it: 403, and nothing spent.
    auto forged = *crypto::vapidAuthorization(forger, proxy.url(), "mailto:x@y.z", std::time(nullptr) + 600);
    forged = forged.substr(0, forged.find("k=") + 2) + appServer.publicKey;
    for (int i = 0; i < 3; ++i) CHECK(postFrom("127.0.0.2", proxy, device.subscription.token, {"Authorization: " + forged}).status == 403);
    for (int i = 0; i < 2; ++i)
        CHECK(client::sendPush(endpoint, "signed", signedWith(device.encrypted(), appServer)).ok());
    auto refused = client::sendPush(endpoint, "signed", signedWith(device.encrypted(), appServer));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::QuotaExceeded);
}

// Regression (issue 12): random tokens from one source exhausted the node-wide key budget in
// about 4 s, and every sender got 503 for up to an hour.
TEST_CASE("one source takes only its share of the publish-key budget", "[integration][limits]") {
    LocalDhtNetwork network(4);
    proxy::ProxyConfig config;
    config.rates.newPublishKeysPerHour = 3;
    RunningProxy proxy(network, config);
    for (int i = 0; i < 3; ++i)
        CHECK(postFrom("127.0.0.2", proxy, crypto::SubscriptionToken::generate().text()).status == 201);
    requireRefused(postFrom("127.0.0.2", proxy, crypto::SubscriptionToken::generate().text()), 429);
    CHECK(postFrom("127.0.0.3", proxy, crypto::SubscriptionToken::generate().text()).status == 201);
    CHECK(refusals(proxy, "new_publish_keys_per_address") == 1);
}

namespace {

// The head of the answer to opening `deviceId`'s event stream with `secret`, from 127.0.0.2;
// the connection is closed after.
std::string openStream(const RunningProxy& proxy, const std::string& deviceId, const std::string& secret) {
    RawConnection connection("127.0.0.2", portOf(proxy.httpUrl()));
    connection.send("GET /v1/devices/" + deviceId + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    secret + "\r\nConnection: close\r\n\r\n");
    const auto head = connection.readUntil(
        [](const std::string& text) { return text.find("\r\n\r\n") != std::string::npos; }, std::chrono::seconds(5));
    return head.substr(0, head.find("\r\n\r\n"));
}

std::string statusLine(const std::string& head) { return head.substr(0, head.find("\r\n")); }

}  // namespace

// Issue 12, "/health stays fast under reconnect storms": every opening makes the node read and
// send the device's whole backlog, and nothing bounded how often a device could open.
TEST_CASE("a device reopening its event stream in a loop gets 429, another device's stream opens",
          "[integration][limits]") {
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.rates.streamOpensPerMinute = 3;  // a burst of 6, then one every 20 s
    RunningProxy proxy(network, config);
    auto looping = client::attachDevice(proxy.url());
    auto other = client::attachDevice(proxy.url());
    REQUIRE(looping.ok());
    REQUIRE(other.ok());
    for (int i = 0; i < 6; ++i) CHECK(statusLine(openStream(proxy, looping->deviceId, looping->secret)) == "HTTP/1.1 200 OK");
    const auto refused = openStream(proxy, looping->deviceId, looping->secret);
    CHECK(statusLine(refused) == "HTTP/1.1 429 Too Many Requests");
    CHECK(refused.find("Retry-After: ") != std::string::npos);
    // A stranger without the other device's secret does not spend its openings.
    for (int i = 0; i < 10; ++i) CHECK(statusLine(openStream(proxy, other->deviceId, "wrong")).find(" 403 ") != std::string::npos);
    for (int i = 0; i < 6; ++i) CHECK(statusLine(openStream(proxy, other->deviceId, other->secret)) == "HTTP/1.1 200 OK");
    CHECK(refusals(proxy, "stream_opens_per_device") == 1);
}
