// One notification end to end: a device on proxy A, an app server posting to proxy B,
// and nothing shared between A and B but a 10-node OpenDHT network on loopback.
#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/crypto/base64url.h"
#include "proxy_fixture.h"

#include <set>

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::string text(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

std::string endpointOn(const std::string& proxyUrl, const std::string& token) { return proxyUrl + "/wp/" + token; }

}  // namespace

TEST_CASE("a message posted to proxy B reaches a device attached to proxy A through the DHT", "[integration]") {
    LocalDhtNetwork network(10);
    RunningProxy proxyA(network);
    RunningProxy proxyB(network);

    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto subscription = client::addSubscription(*account, "");
    REQUIRE(subscription.ok());
    REQUIRE(subscription->endpoint == endpointOn(proxyA.url(), subscription->token));
    EventRecorder device(*account);

    client::PushOptions options;
    options.ttlSeconds = 3600;
    options.urgency = "high";
    options.topic = "greeting";
    auto receipt = client::sendPush(endpointOn(proxyB.url(), subscription->token), "hello through the DHT", options);
    REQUIRE(receipt.ok());
    CHECK(receipt->ttlSeconds == 3600);
    CHECK(receipt->location.rfind(proxyB.url() + "/m/", 0) == 0);

    REQUIRE(device.waitForCount(1));
    // A second message as a sentinel: when it is in, a duplicate of the first would be too.
    REQUIRE(client::sendPush(endpointOn(proxyB.url(), subscription->token), "second", options).ok());
    REQUIRE(device.waitForCount(2));

    const auto messages = device.messages();
    REQUIRE(messages.size() == 2);
    CHECK(text(messages[0].envelope.body) == "hello through the DHT");
    CHECK(messages[0].token == subscription->token);
    CHECK(messages[0].envelope.urgency == node::Urgency::High);
    CHECK(messages[0].envelope.topic == "greeting");
    CHECK(messages[0].envelope.ttlSeconds == 3600);
    CHECK(receipt->location == proxyB.url() + "/m/" + messages[0].envelope.idText());
    CHECK(text(messages[1].envelope.body) == "second");
}

TEST_CASE("a peer publishing straight into the DHT reaches the device", "[integration]") {
    LocalDhtNetwork network(10);
    RunningProxy proxyA(network);
    auto peer = network.join();

    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto subscription = client::addSubscription(*account, "");
    REQUIRE(subscription.ok());
    EventRecorder device(*account);

    auto token = crypto::SubscriptionToken::parse(subscription->token);
    REQUIRE(token);
    const auto envelope = node::Envelope::create(600, node::Urgency::Low, "", "", crypto::toBytes("from a peer"));
    peer->publish(token->dhtKey(), token->recipient(), envelope, {});

    REQUIRE(device.waitForCount(1));
    const auto messages = device.messages();
    CHECK(messages[0].envelope.id == envelope.id);
    CHECK(text(messages[0].envelope.body) == "from a peer");
    CHECK(messages[0].envelope.urgency == node::Urgency::Low);
}

TEST_CASE("a device with several subscriptions gets all of them on one stream", "[integration]") {
    LocalDhtNetwork network(10);
    RunningProxy proxyA(network);
    RunningProxy proxyB(network);
    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto first = client::addSubscription(*account, "");
    auto second = client::addSubscription(*account, crypto::SubscriptionToken::generate().text());
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    EventRecorder device(*account);

    client::PushOptions options;
    options.ttlSeconds = 60;
    REQUIRE(client::sendPush(endpointOn(proxyB.url(), first->token), "to first", options).ok());
    REQUIRE(client::sendPush(endpointOn(proxyB.url(), second->token), "to second", options).ok());
    REQUIRE(device.waitForCount(2));
    std::set<std::string> tokens;
    for (const auto& m : device.messages()) tokens.insert(m.token + "=" + text(m.envelope.body));
    CHECK(tokens == std::set<std::string>{first->token + "=to first", second->token + "=to second"});
}
