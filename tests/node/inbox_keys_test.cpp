#include "dhtpush/node/inbox_keys.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "dhtpush/crypto/inbox_lanes.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using node::InboxKeys;
using node::InboxKeyScheme;

namespace {

crypto::DhtKey someInboxKey() {
    crypto::DhtKey key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x5a + 7 * i);
    return key;
}

}  // namespace

TEST_CASE("inbox key schemes: 16, 64 or 1 keys an inbox, lane 0 the inbox key itself", "[node][inbox_keys]") {
    const auto inbox = someInboxKey();
    for (auto [scheme, lanes] : {std::pair{InboxKeyScheme::Lanes, 16u}, std::pair{InboxKeyScheme::Wide, 64u},
                                 std::pair{InboxKeyScheme::Single, 1u}, std::pair{InboxKeyScheme::Slotted, 16u}}) {
        CAPTURE(node::nameOf(scheme));
        const InboxKeys keys(scheme);
        CHECK(keys.lanes() == lanes);
        CHECK(keys.laneKey(inbox, 0) == inbox);
        std::set<crypto::DhtKey> distinct;
        for (unsigned lane = 0; lane < 2 * lanes; ++lane) {
            const auto key = keys.laneKey(inbox, lane);
            distinct.insert(key);
            // Only the last byte moves: the lanes keep the inbox's storing nodes.
            CHECK(std::equal(key.begin(), key.end() - 1, inbox.begin()));
        }
        CHECK(distinct.size() == lanes);  // lanes past the last wrap around
    }
}

TEST_CASE("the default scheme's lanes are the protocol's (crypto/inbox_lanes.h)", "[node][inbox_keys]") {
    const auto inbox = someInboxKey();
    const InboxKeys keys;
    REQUIRE(keys.scheme() == InboxKeyScheme::Lanes);
    for (unsigned lane = 0; lane < crypto::INBOX_LANES; ++lane)
        CHECK(keys.laneKey(inbox, lane) == crypto::inboxLaneKey(inbox, lane));
}

TEST_CASE("each scheme is a DHT network of its own, the default one keeps the network id", "[node][inbox_keys]") {
    for (std::uint32_t id : {0x64687470u, 7u, 0u}) {
        CAPTURE(id);
        const auto lanes = node::dhtNetworkId(id, InboxKeyScheme::Lanes);
        const auto wide = node::dhtNetworkId(id, InboxKeyScheme::Wide);
        const auto single = node::dhtNetworkId(id, InboxKeyScheme::Single);
        const auto slotted = node::dhtNetworkId(id, InboxKeyScheme::Slotted);
        CHECK(lanes == id);
        CHECK(std::set<std::uint32_t>{lanes, wide, single, slotted}.size() == 4);
        CHECK(slotted != 0);
        CHECK(wide != 0);  // never OpenDHT's public network
        CHECK(single != 0);
        CHECK(node::dhtNetworkId(id, InboxKeyScheme::Wide) == wide);  // the same on every node
    }
    // docs/protocol.md's examples, computed with Python's hashlib.
    CHECK(node::dhtNetworkId(0x64687470u, InboxKeyScheme::Wide) == 0xaf9a16dcu);
    CHECK(node::dhtNetworkId(0x64687470u, InboxKeyScheme::Single) == 0xf2f811deu);
    CHECK(node::dhtNetworkId(0x64687470u, InboxKeyScheme::Slotted) == 0xab87ff68u);
}

TEST_CASE("inbox key schemes are named lanes, wide, single and slotted", "[node][inbox_keys]") {
    for (auto scheme : {InboxKeyScheme::Lanes, InboxKeyScheme::Wide, InboxKeyScheme::Single, InboxKeyScheme::Slotted})
        CHECK(node::parseInboxKeyScheme(node::nameOf(scheme)) == scheme);
    CHECK(node::inboxKeySchemeNames() == "lanes, wide, single, slotted");  // what usage messages list
    for (const char* bad : {"", "Lanes", "lane", "wide ", "64"}) {
        CAPTURE(bad);
        CHECK_FALSE(node::parseInboxKeyScheme(bad));
    }
}

TEST_CASE("slotted: a value is tagged with its minute, a watcher hears its minute and the two beside it",
          "[node][inbox_keys]") {
    const InboxKeys slotted(InboxKeyScheme::Slotted);
    CHECK(slotted.lanes() == 16);
    CHECK(slotted.slotLength() == std::chrono::seconds(60));
    CHECK(slotted.listensPerInbox() == 3 * 16);
    // 2026-12-05 07:30:00 UTC is minute 29,940,930 since 1970.
    const std::int64_t t = 1796455800;
    CHECK(slotted.slotTag(t) == "s29940930");
    CHECK(slotted.slotTag(t + 59) == "s29940930");
    CHECK(slotted.slotTag(t + 60) == "s29940931");
    CHECK(slotted.slotTag(t - 1) == "s29940929");
    CHECK(slotted.slotTag(-1) == "s-1");  // a clock before 1970 still rounds down
    CHECK(slotted.slotTag(-60) == "s-1");
    CHECK(slotted.slotTag(-61) == "s-2");
    const auto listened = slotted.listenedSlotTags(t + 30);
    CHECK(listened == std::vector<std::string>{"s29940929", "s29940930", "s29940931"});
    // Whatever a sender's clock says within one slot of the watcher's, the watcher listens for its tag.
    for (std::int64_t skew : {-59, -30, 0, 30, 59}) {
        for (std::int64_t at : {t, t + 1, t + 30, t + 59}) {
            CAPTURE(skew, at);
            const auto tags = slotted.listenedSlotTags(at);
            CHECK(std::find(tags.begin(), tags.end(), slotted.slotTag(at + skew)) != tags.end());
        }
    }
    for (auto scheme : {InboxKeyScheme::Lanes, InboxKeyScheme::Wide, InboxKeyScheme::Single}) {
        const InboxKeys keys(scheme);
        CHECK(keys.slotLength().count() == 0);
        CHECK(keys.slotTag(t).empty());  // values as before slots
        CHECK(keys.listenedSlotTags(t).empty());
        CHECK(keys.listensPerInbox() == keys.lanes());
    }
}
