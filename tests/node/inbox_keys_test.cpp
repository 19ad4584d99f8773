#include "dhtpush/node/inbox_keys.h"

#include <set>

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
                                 std::pair{InboxKeyScheme::Single, 1u}}) {
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
        CHECK(lanes == id);
        CHECK(std::set<std::uint32_t>{lanes, wide, single}.size() == 3);
        CHECK(wide != 0);  // never OpenDHT's public network
        CHECK(single != 0);
        CHECK(node::dhtNetworkId(id, InboxKeyScheme::Wide) == wide);  // the same on every node
    }
    // docs/protocol.md's examples, computed with Python's hashlib.
    CHECK(node::dhtNetworkId(0x64687470u, InboxKeyScheme::Wide) == 0xaf9a16dcu);
    CHECK(node::dhtNetworkId(0x64687470u, InboxKeyScheme::Single) == 0xf2f811deu);
}

TEST_CASE("inbox key schemes are named lanes, wide and single", "[node][inbox_keys]") {
    for (auto scheme : {InboxKeyScheme::Lanes, InboxKeyScheme::Wide, InboxKeyScheme::Single})
        CHECK(node::parseInboxKeyScheme(node::nameOf(scheme)) == scheme);
    CHECK(node::inboxKeySchemeNames() == "lanes, wide, single");  // what usage messages list
    for (const char* bad : {"", "Lanes", "lane", "wide ", "64"}) {
        CAPTURE(bad);
        CHECK_FALSE(node::parseInboxKeyScheme(bad));
    }
}
