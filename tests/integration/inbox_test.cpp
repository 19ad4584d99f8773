// Version-2 tokens: a proxy's subscriptions share inbox keys, so it holds one DHT listen per
// inbox, and a sender's node puts what arrives for one inbox while a put is in flight as one
// value. Real network, real HTTP, concurrent senders.
#include <opendht/dhtrunner.h>
#include <opendht/infohash.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "await.h"
#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/inbox_placement.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/node/json.h"
#include "node_process.h"
#include "proxy_fixture.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

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

proxy::ProxyConfig withInboxes(std::size_t inboxes) {
    proxy::ProxyConfig config;
    config.inboxes = inboxes;
    return config;
}

proxy::ProxyConfig busyAppServer() {
    proxy::ProxyConfig config;
    config.rates.postsPerSubscription = 0;  // a busy app server, above the default 10/s
    return config;
}

// Proxy A with one inbox and a device subscribed there, and proxy B, which takes a busy app
// server's POSTs for it.
struct BusyInbox {
    explicit BusyInbox(const LocalDhtNetwork& network)
        : proxyA(network, withInboxes(1)), proxyB(network, busyAppServer()) {
        auto attached = client::attachDevice(proxyA.url());
        REQUIRE(attached.ok());
        account = *attached;
        auto sub = client::addSubscription(account, "");
        REQUIRE(sub.ok());
        token = sub->token;
        REQUIRE(waitUntil([&] { return healthField(proxyA.url(), "subscriptions_watched") == 1; }));
    }
    std::string endpoint() const { return proxyB.url() + "/wp/" + token; }

    RunningProxy proxyA, proxyB;
    client::ProxyAccount account;
    std::string token;
};

// One message at a time, so that each goes out in a value of its own: `burst` of them, then,
// once B's first 10 s window of the inbox has passed (node/src/lane_chooser.h; it starts with
// the first value), `spread` more, which B spreads over a lane per 2 values a second of the
// burst, each lane taking burst / lanes of them in a row. Returns once the device has every
// one: how many were sent, and whether the burst and the spread each fitted in one window (on
// a machine too slow for it, one spans two, and other lanes follow).
struct LaneBurst {
    std::size_t sent{0};
    bool inOneWindow{false};
};
LaneBurst sendBurstThenSpread(const std::string& endpoint, const EventRecorder& recorder, std::size_t burst,
                              std::size_t spread) {
    LaneBurst out;
    auto send = [&] {
        REQUIRE(client::sendPush(endpoint, "m" + std::to_string(out.sent), pushOptions(600)).ok());
        ++out.sent;
    };
    const auto beforeFirst = std::chrono::steady_clock::now();
    send();
    const auto afterFirst = std::chrono::steady_clock::now();
    for (std::size_t i = 1; i < burst; ++i) send();
    out.inOneWindow = std::chrono::steady_clock::now() < beforeFirst + std::chrono::seconds(10);
    CHECK(waitUntil([&] { return std::chrono::steady_clock::now() > afterFirst + std::chrono::seconds(10); },
                    std::chrono::seconds(15)));
    const auto beforeSpread = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < spread; ++i) send();
    out.inOneWindow = out.inOneWindow && std::chrono::steady_clock::now() < beforeSpread + std::chrono::seconds(10);
    REQUIRE(recorder.waitForCount(out.sent, std::chrono::seconds(30)));
    CHECK(bodiesOf(recorder).size() == out.sent);
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
    // The hub takes a subscription on its strand after the 201: wait for it to count.
    CHECK(waitUntil([&] { return healthField(proxyA.url(), "subscriptions_watched") == 5; }));
    CHECK(healthField(proxyA.url(), "dht_listens") == crypto::INBOX_LANES);  // one inbox, 16 lanes
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
    CHECK(dhtField(proxyB.url(), "values_failed") == 0);

    // An unsubscribed recipient gets nothing, though its inbox is still watched for the others.
    // The sentinel is posted after the first POST's 201, which comes once the storing nodes
    // stored it, and they notify listeners as they store: A meets the first one first.
    REQUIRE(client::removeSubscription(*first, tokens[0]).ok());
    CHECK(healthField(proxyA.url(), "dht_listens") == crypto::INBOX_LANES);
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + tokens[0], "after unsubscribe", pushOptions(600)).ok());
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + tokens[1], "sentinel", pushOptions(600)).ok());
    REQUIRE(recordFirst.waitForCount(expectFirst.size() + 1));
    CHECK(bodiesOf(recordFirst).count("sentinel") == 1);
    CHECK(bodiesOf(recordFirst).count("after unsubscribe") == 0);

    // A version-1 token the device brings gets a listen of its own, beside the inbox's.
    const auto own = crypto::SubscriptionToken::generate();
    REQUIRE(client::addSubscription(*first, own.text()).ok());
    CHECK(waitUntil([&] { return healthField(proxyA.url(), "dht_listens") == crypto::INBOX_LANES + 1; }));
    REQUIRE(client::sendPush(proxyB.url() + "/wp/" + own.text(), "version 1", pushOptions(600)).ok());
    REQUIRE(recordFirst.waitForCount(expectFirst.size() + 2));
    CHECK(bodiesOf(recordFirst).count("version 1") == 1);
}

// Regression (issue 19): every value of an inbox went to one key, where OpenDHT's work per
// value grows with the values the key holds.
TEST_CASE("a busy inbox's values spread over its lanes, and the proxy hears every lane", "[integration]") {
    LocalDhtNetwork network(4);
    BusyInbox inbox(network);
    EventRecorder recorder(inbox.account);

    // A first window of more values than 16 lanes take, then a second one, which B spreads
    // over all 16, a run of RUN values each.
    constexpr std::size_t BUSY = 16 * 20 + 40, RUN = BUSY / crypto::INBOX_LANES, SPREAD = RUN * crypto::INBOX_LANES;
    const auto burst = sendBurstThenSpread(inbox.endpoint(), recorder, BUSY, SPREAD);
    const auto sent = burst.sent;
    const bool burstInOneWindow = burst.inOneWindow;
    CHECK(dhtField(inbox.proxyB.url(), "values_put") == sent);

    // What each lane's key holds, read from the DHT by a bare OpenDHT node. A get of a few
    // hundred values comes back in many UDP parts, and one get can end before all of them
    // were put together on a busy machine: read again until the lanes hold every message.
    const auto reader = bareRunner(network);
    const auto inboxKey = crypto::SubscriptionToken::parse(inbox.token)->dhtKey();
    std::vector<std::size_t> held(crypto::INBOX_LANES, 0);
    auto valuesHeld = [&] {
        std::size_t values = 0;
        for (unsigned lane = 0; lane < crypto::INBOX_LANES; ++lane) {
            const auto key = crypto::inboxLaneKey(inboxKey, lane);
            held[lane] = reader->get(dht::InfoHash(key.data(), key.size())).get().size();
            values += held[lane];
        }
        return values;
    };
    CHECK(waitUntil([&] { return valuesHeld() == sent; }, std::chrono::seconds(20)));
    std::size_t lanesUsed = 0;
    for (unsigned lane = 0; lane < crypto::INBOX_LANES; ++lane) {
        CAPTURE(lane);
        // Lane 0 took the first window; each lane its run of the second.
        if (burstInOneWindow) CHECK(held[lane] == (lane == 0 ? BUSY : 0) + RUN);
        lanesUsed += held[lane] ? 1 : 0;
    }
    CHECK(lanesUsed >= (burstInOneWindow ? crypto::INBOX_LANES : 2));
    reader->shutdown({}, true);
    reader->join();
}

TEST_CASE("a node's inbox keys lie next to its DHT id, and both survive a restart", "[integration]") {
    // A put to such a key reaches the node first among the storing nodes, and its own storage
    // reports it (crypto/inbox_placement.h): one hop from the sender's node.
    LocalDhtNetwork network(4);
    TempDir data;
    NodeProcess proxy(network, data.path());
    auto nodeKey = [&] {
        auto response = client::httpRequest({"GET", proxy.url() + "/health", {}, {}});
        REQUIRE(response.ok());
        const dht::InfoHash id((*node::parseJson(response->body))["dht"]["node_id"].asString());
        REQUIRE(id);
        crypto::DhtKey key;
        std::copy_n(id.data(), key.size(), key.begin());
        return key;
    };
    const auto before = nodeKey();
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    std::set<crypto::DhtKey> keys;
    for (int i = 0; i < 8; ++i) {
        auto sub = client::addSubscription(*account, "");
        REQUIRE(sub.ok());
        const auto token = crypto::SubscriptionToken::parse(sub->token);
        REQUIRE(token);
        CHECK(crypto::sharedPrefixBits(token->dhtKey(), before) >= crypto::INBOX_PLACEMENT_BITS);
        keys.insert(token->dhtKey());
    }
    CHECK(keys.size() > 1);  // several inboxes, each placed

    proxy.restart();  // the identity, and with it the node id, lives in the data folder
    CHECK(nodeKey() == before);
    account->url = proxy.url();
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    CHECK(crypto::sharedPrefixBits(crypto::SubscriptionToken::parse(sub->token)->dhtKey(), before) >=
          crypto::INBOX_PLACEMENT_BITS);
}

// Issue 14: the inbox key scheme is the node's choice (node/inbox_keys.h); the proxy speaks
// tokens and needs nothing else to know of it.
TEST_CASE("under each inbox key scheme a proxy listens to its inboxes' lanes and hears every one",
          "[integration]") {
    for (auto scheme : {node::InboxKeyScheme::Single, node::InboxKeyScheme::Wide, node::InboxKeyScheme::Slotted}) {
        DYNAMIC_SECTION(node::nameOf(scheme)) {
            const node::InboxKeys keys(scheme);
            LocalDhtNetwork network(4, std::chrono::minutes(10), scheme);
            BusyInbox inbox(network);
            CHECK(healthField(inbox.proxyA.url(), "dht_listens") == keys.listensPerInbox());
            EventRecorder recorder(inbox.account);

            // The window after the burst uses 21 lanes: past the default scheme's 16 for `wide`.
            constexpr std::size_t BURST = 2 * 10 * 20 + 10, SPREAD = BURST;
            const auto burst = sendBurstThenSpread(inbox.endpoint(), recorder, BURST, SPREAD);

            // Where they went, read by a bare OpenDHT node of the scheme's network.
            const auto reader = bareRunner(network);
            const auto inboxKey = crypto::SubscriptionToken::parse(inbox.token)->dhtKey();
            auto heldAt = [&](unsigned lane) {
                const auto key = keys.laneKey(inboxKey, lane);
                return reader->get(dht::InfoHash(key.data(), key.size())).get().size();
            };
            CHECK(waitUntil([&] { return heldAt(0) > 0; }, std::chrono::seconds(20)));
            if (scheme == node::InboxKeyScheme::Wide && burst.inOneWindow) {
                // 21 lanes were asked for: lanes 16 to 20, which the default scheme does not have.
                for (unsigned lane = crypto::INBOX_LANES; lane < 21; ++lane) {
                    CAPTURE(lane);
                    CHECK(waitUntil([&] { return heldAt(lane) > 0; }, std::chrono::seconds(20)));
                }
            }
            reader->shutdown({}, true);
            reader->join();
        }
    }
}

TEST_CASE("a node of another inbox key scheme is another network: it never joins", "[integration]") {
    LocalDhtNetwork network(2);  // the default scheme
    auto strangerConfig = network.joinConfig();
    strangerConfig.inboxKeys = node::InboxKeyScheme::Single;
    auto stranger = node::DhtNode::start(strangerConfig);
    REQUIRE(stranger.ok());
    // Started later through the same bootstrap node, a node of the network's own scheme
    // connects (join waits for it); the stranger, given 3 s more, finds no peer.
    const auto peer = network.join();
    CHECK(peer->connected());
    CHECK_FALSE(waitUntil([&] { return (*stranger)->connected(); }, std::chrono::seconds(3)));
    CHECK((*stranger)->status().goodNodes == 0);
}
