// The `slotted` inbox key scheme (node/inbox_keys.h): values tagged with their sender's
// minute, listens that move with the minutes. Real network, real HTTP, a bare OpenDHT node as
// a peer whose clock is off.
#include <opendht/dhtrunner.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/node/direct_publish.h"
#include "dhtpush/node/envelope.h"
#include "proxy_fixture.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::int64_t unixMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t unixSeconds() { return unixMillis() / 1000; }

node::Envelope envelopeSaying(const std::string& text) {
    node::Envelope e;
    e.id = crypto::randomBytes(node::MESSAGE_ID_BYTES);
    e.createdMs = static_cast<std::uint64_t>(unixSeconds()) * 1000;
    e.ttlSeconds = 600;
    e.body.assign(text.begin(), text.end());
    return e;
}

// Puts a message for `token` as a peer whose clock says `skewSeconds` more than ours.
bool putAsSkewedPeer(dht::DhtRunner& peer, const crypto::SubscriptionToken& token, const std::string& text,
                     std::int64_t skewSeconds) {
    const node::InboxKeys keys(node::InboxKeyScheme::Slotted);
    auto value = node::pushValueFor(token, envelopeSaying(text), keys, unixSeconds() + skewSeconds);
    auto stored = std::make_shared<std::promise<bool>>();
    auto answer = stored->get_future();
    peer.put(node::pushKeyFor(token), value, [stored](bool ok) { stored->set_value(ok); });
    return answer.wait_for(std::chrono::seconds(20)) == std::future_status::ready && answer.get();
}

bool heard(const EventRecorder& recorder, const std::string& text) {
    for (const auto& m : recorder.messages())
        if (std::string(m.envelope.body.begin(), m.envelope.body.end()) == text) return true;
    return false;
}

}  // namespace

TEST_CASE("slotted: a proxy hears peers whose clocks are up to a minute off, before and after its listens move",
          "[integration]") {
    LocalDhtNetwork network(3, std::chrono::minutes(10), node::InboxKeyScheme::Slotted);
    proxy::ProxyConfig config;
    config.inboxes = 1;
    // The proxy's node stores nothing, so it hears every value through its listens' reports
    // alone (what reaches a node's own storage is handed over at once).
    node::StorageLimits nothingStored;
    nothingStored.maxBytes = 0;
    RunningProxy proxy(network, config, nothingStored);
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    const auto token = crypto::SubscriptionToken::parse(sub->token);
    REQUIRE(token);
    REQUIRE(waitUntil([&] { return healthField(proxy.url(), "subscriptions_watched") == 1; }));
    CHECK(healthField(proxy.url(), "dht_listens") == 3 * 16);  // three minutes of each of 16 lanes
    EventRecorder recorder(*account);
    const auto peer = bareRunner(network);

    // The minute before ours and the one after: both listened to. (Not in a minute's last
    // seconds: a put ending after our minute changed would be more than a minute behind.)
    REQUIRE(waitUntil([] { return unixSeconds() % 60 < 55; }, std::chrono::seconds(6)));
    REQUIRE(putAsSkewedPeer(*peer, *token, "59 s behind", -59));
    REQUIRE(putAsSkewedPeer(*peer, *token, "59 s ahead", 59));
    CHECK(waitUntil([&] { return heard(recorder, "59 s behind") && heard(recorder, "59 s ahead"); },
                    std::chrono::seconds(10)));

    // 1.2 s before our minute ends, a peer 59 s behind puts into the minute before ours, whose
    // listens end with our minute: what they heard is handed over before they go. (Without the
    // last ask, only a poll, every 5 s, falling in that second would hand it over.)
    REQUIRE(waitUntil(
        [] {
            const auto inMinute = unixMillis() % 60000;
            return inMinute >= 58800 && inMinute < 59000;
        },
        std::chrono::seconds(61)));
    const auto minute = unixSeconds() / 60;
    REQUIRE(putAsSkewedPeer(*peer, *token, "the minute before, at its end", -59));
    const bool putInTime = unixSeconds() / 60 == minute;

    // Once our minute changes, the minute after the new one was listened to by nobody before
    // (two after the first): the proxy's listens moved to it.
    REQUIRE(waitUntil([&] { return unixSeconds() / 60 != minute; }, std::chrono::seconds(3)));
    REQUIRE(putAsSkewedPeer(*peer, *token, "the minute after the next", 60));
    CHECK(waitUntil([&] { return heard(recorder, "the minute after the next"); }, std::chrono::seconds(10)));
    if (putInTime)
        CHECK(heard(recorder, "the minute before, at its end"));
    else
        WARN("the put into the minute before ended after that minute's listens: not checked");
    CHECK(healthField(proxy.url(), "dht_listens") == 3 * 16);
    peer->shutdown({}, true);
    peer->join();
}
