// What a device can rely on: messages wait for it while it is offline (within their TTL),
// TTL 0 only reaches a connected device, unsubscribing stops delivery, and a proxy
// restarted on the same data folder still knows its devices and subscriptions.
#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/node/json.h"
#include "proxy_fixture.h"

#include <algorithm>

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::string text(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

std::vector<std::string> bodies(const EventRecorder& recorder) {
    std::vector<std::string> out;
    for (const auto& m : recorder.messages()) out.push_back(text(m.envelope.body));
    return out;
}

}  // namespace

TEST_CASE("messages sent while the device is offline arrive when it connects", "[integration]") {
    LocalDhtNetwork network(10);
    RunningProxy proxyA(network);
    RunningProxy proxyB(network);
    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    const auto endpointB = proxyB.url() + "/wp/" + sub->token;

    REQUIRE(client::sendPush(endpointB, "one", pushOptions(600)).ok());
    REQUIRE(client::sendPush(endpointB, "two", pushOptions(600)).ok());
    REQUIRE(waitUntil([&] { return healthCounter(proxyA.url(), "queued") >= 2; }));

    EventRecorder device(*account);
    REQUIRE(device.waitForCount(2));
    auto got = bodies(device);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"one", "two"});
}

TEST_CASE("TTL 0 reaches only a device connected at that moment", "[integration]") {
    LocalDhtNetwork network(10);
    RunningProxy proxyA(network);
    RunningProxy proxyB(network);
    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    const auto endpointB = proxyB.url() + "/wp/" + sub->token;

    REQUIRE(client::sendPush(endpointB, "while offline", pushOptions(0)).ok());
    REQUIRE(waitUntil([&] { return healthCounter(proxyA.url(), "dropped") >= 1; }));

    EventRecorder device(*account);
    REQUIRE(client::sendPush(endpointB, "sentinel", pushOptions(60)).ok());
    REQUIRE(device.waitForCount(1));
    REQUIRE(client::sendPush(endpointB, "while online", pushOptions(0)).ok());
    REQUIRE(device.waitForCount(2));
    CHECK(bodies(device) == std::vector<std::string>{"sentinel", "while online"});
}

TEST_CASE("a message whose TTL ran out while the device was offline is not delivered", "[integration]") {
    LocalDhtNetwork network(5);
    RunningProxy proxyA(network);
    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    const auto endpoint = proxyA.url() + "/wp/" + sub->token;

    REQUIRE(client::sendPush(endpoint, "short-lived", pushOptions(1)).ok());
    REQUIRE(waitUntil([&] { return healthCounter(proxyA.url(), "queued") >= 1; }));
    const auto expiry = std::chrono::steady_clock::now() + std::chrono::milliseconds(1100);
    REQUIRE(waitUntil([&] { return std::chrono::steady_clock::now() >= expiry; }));  // the TTL is the condition

    EventRecorder device(*account);
    REQUIRE(client::sendPush(endpoint, "sentinel", pushOptions(60)).ok());
    REQUIRE(device.waitForCount(1));
    CHECK(bodies(device) == std::vector<std::string>{"sentinel"});
    CHECK(healthCounter(proxyA.url(), "expired") >= 1);
}

TEST_CASE("after unsubscribing, messages to that endpoint are no longer delivered", "[integration]") {
    LocalDhtNetwork network(10);
    RunningProxy proxyA(network);
    RunningProxy proxyB(network);
    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto dropped = client::addSubscription(*account, "");
    auto kept = client::addSubscription(*account, "");
    REQUIRE(dropped.ok());
    REQUIRE(kept.ok());
    EventRecorder device(*account);

    REQUIRE(client::removeSubscription(*account, dropped->token).ok());
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + dropped->token, "unwanted", pushOptions(60)).ok());
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + kept->token, "wanted", pushOptions(60)).ok());
    REQUIRE(device.waitForCount(1));
    // Another round trip on the kept subscription: an unwanted message would be in by now.
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + kept->token, "wanted again", pushOptions(60)).ok());
    REQUIRE(device.waitForCount(2));
    CHECK(bodies(device) == std::vector<std::string>{"wanted", "wanted again"});
}

TEST_CASE("a proxy restarted on the same data folder keeps its devices and subscriptions", "[integration]") {
    LocalDhtNetwork network(10);
    TempDir data;
    proxy::ProxyConfig config;
    config.dataDir = data.path();
    client::ProxyAccount account;
    std::string token;
    {
        RunningProxy first(network, config);
        auto attached = client::attachDevice(first.url());
        REQUIRE(attached.ok());
        account = *attached;
        auto sub = client::addSubscription(account, "");
        REQUIRE(sub.ok());
        token = sub->token;
    }
    RunningProxy restarted(network, config);
    account.url = restarted.url();  // the port is new; the device and its secret are not
    RunningProxy sender(network);
    EventRecorder device(account);
    REQUIRE(client::sendPush(sender.url() + "/wp/" + token, "after restart", pushOptions(60)).ok());
    REQUIRE(device.waitForCount(1));
    CHECK(bodies(device) == std::vector<std::string>{"after restart"});
}

TEST_CASE("a node answers 201 once the DHT holds the message: other nodes can fetch it", "[integration]") {
    LocalDhtNetwork network(5);
    RunningProxy sender(network);
    // A key of its own (version 1) and a key shared by an inbox (version 2).
    for (const auto& token : {crypto::SubscriptionToken::generate(),
                              *crypto::SubscriptionToken::generateInInbox(crypto::Bytes(crypto::INBOX_ID_BYTES, 3))}) {
        CAPTURE(token.text());
        // No device of this node: the message lives only in the DHT.
        REQUIRE(client::sendPush(sender.url() + "/wp/" + token.text(), "kept", pushOptions(600)).ok());
        auto other = network.join();
        std::atomic<bool> fetched{false};
        other->watch(token.dhtKey(), token.recipient().empty() ? node::KeyKind::Own : node::KeyKind::Inbox, [&](const crypto::Bytes& recipient, const node::Envelope& e) {
            if (text(e.body) == "kept" && recipient == token.recipient()) fetched = true;
        });
        CHECK(waitUntil([&] { return fetched.load(); }));
        other->shutdown();
    }
}
