// Version-2 tokens: a proxy's subscriptions share inbox keys, so it holds one DHT listen per
// inbox, and a sender's node puts what arrives for one inbox while a put is in flight as one
// value. Real network, real HTTP, concurrent senders.
#include <map>
#include <set>
#include <thread>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/node/json.h"
#include "proxy_fixture.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::uint64_t healthField(const std::string& proxyUrl, const char* name) {
    auto response = client::httpRequest({"GET", proxyUrl + "/health", {}, {}});
    if (!response) return 0;
    auto json = node::parseJson(response->body);
    return json ? (*json)[name].asUInt64() : 0;
}

std::uint64_t dhtField(const std::string& proxyUrl, const char* name) {
    auto response = client::httpRequest({"GET", proxyUrl + "/health", {}, {}});
    if (!response) return 0;
    auto json = node::parseJson(response->body);
    return json ? (*json)["dht"][name].asUInt64() : 0;
}

std::set<std::string> bodiesOf(const EventRecorder& recorder, std::map<std::string, std::string>* tokenOfBody = nullptr) {
    std::set<std::string> out;
    for (const auto& m : recorder.messages()) {
        const std::string body(m.envelope.body.begin(), m.envelope.body.end());
        out.insert(body);
        if (tokenOfBody) (*tokenOfBody)[body] = m.token;
    }
    return out;
}

}  // namespace

TEST_CASE("subscriptions in one inbox share a DHT listen, and a burst for them reaches each one exactly",
          "[integration]") {
    LocalDhtNetwork network(8);
    proxy::ProxyConfig oneInbox;
    oneInbox.inboxes = 1;
    RunningProxy proxyA(network, oneInbox);
    RunningProxy proxyB(network);

    auto first = client::attachDevice(proxyA.url());
    auto second = client::attachDevice(proxyA.url());
    REQUIRE((first.ok() && second.ok()));
    std::vector<std::string> tokens;
    std::map<std::string, const client::ProxyAccount*> ownerOf;
    for (int i = 0; i < 5; ++i) {
        const auto& account = i < 3 ? *first : *second;
        auto sub = client::addSubscription(account, "");
        REQUIRE(sub.ok());
        CHECK(crypto::SubscriptionToken::parse(sub->token)->version() == 2);
        tokens.push_back(sub->token);
        ownerOf[sub->token] = &account;
    }
    CHECK(healthField(proxyA.url(), "subscriptions_watched") == 5);
    CHECK(healthField(proxyA.url(), "dht_listens") == 1);
    EventRecorder recordFirst(*first), recordSecond(*second);

    // 8 senders × 10 messages, each to one of the five endpoints, all through proxy B.
    constexpr int SENDERS = 8, EACH = 10;
    std::set<std::string> expectFirst, expectSecond;
    std::map<std::string, std::string> expectedToken;
    for (int i = 0; i < SENDERS * EACH; ++i) {
        const auto& token = tokens[static_cast<std::size_t>(i) % tokens.size()];
        const auto body = "m" + std::to_string(i);
        (ownerOf[token] == &*first ? expectFirst : expectSecond).insert(body);
        expectedToken[body] = token;
    }
    std::atomic<int> refused{0};
    std::vector<std::thread> senders;
    for (int s = 0; s < SENDERS; ++s)
        senders.emplace_back([&, s] {
            for (int k = 0; k < EACH; ++k) {
                const int i = s * EACH + k;
                const auto& token = tokens[static_cast<std::size_t>(i) % tokens.size()];
                if (!client::sendPush(proxyB.url() + "/wp/" + token, "m" + std::to_string(i), pushOptions(600)).ok())
                    ++refused;
            }
        });
    for (auto& t : senders) t.join();
    CHECK(refused == 0);
    REQUIRE(recordFirst.waitForCount(expectFirst.size()));
    REQUIRE(recordSecond.waitForCount(expectSecond.size()));
    std::map<std::string, std::string> tokenOfBody;
    CHECK(bodiesOf(recordFirst, &tokenOfBody) == expectFirst);
    CHECK(bodiesOf(recordSecond, &tokenOfBody) == expectSecond);
    CHECK(tokenOfBody == expectedToken);  // each message under the subscription it was sent to
    // Proxy B put them into the DHT, in at most as many values (fewer when they overlapped).
    const auto published = dhtField(proxyB.url(), "messages_published");
    CHECK(published == SENDERS * EACH);
    CHECK(dhtField(proxyB.url(), "values_put") <= published);

    // An unsubscribed recipient gets nothing, though its inbox is still watched for the others.
    // The sentinel is posted after the first POST's 201, which comes once the storing nodes
    // stored it, and they notify listeners as they store: A meets the first one first.
    REQUIRE(client::removeSubscription(*first, tokens[0]).ok());
    CHECK(healthField(proxyA.url(), "dht_listens") == 1);
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + tokens[0], "after unsubscribe", pushOptions(600)).ok());
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + tokens[1], "sentinel", pushOptions(600)).ok());
    REQUIRE(recordFirst.waitForCount(expectFirst.size() + 1));
    CHECK(bodiesOf(recordFirst).count("sentinel") == 1);
    CHECK(bodiesOf(recordFirst).count("after unsubscribe") == 0);

    // A version-1 token the device brings gets a listen of its own, beside the inbox's.
    const auto own = crypto::SubscriptionToken::generate();
    REQUIRE(client::addSubscription(*first, own.text()).ok());
    CHECK(healthField(proxyA.url(), "dht_listens") == 2);
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + own.text(), "version 1", pushOptions(600)).ok());
    REQUIRE(recordFirst.waitForCount(expectFirst.size() + 2));
    CHECK(bodiesOf(recordFirst).count("version 1") == 1);
}
