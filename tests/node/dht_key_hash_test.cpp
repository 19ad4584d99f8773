#include <set>

#include "dht_key_hash.h"
#include "dhtpush/crypto/inbox_lanes.h"

#include <catch2/catch.hpp>

using namespace dhtpush;

TEST_CASE("keys that differ in one byte only hash apart", "[node][hash]") {
    node::DhtKeyHash hash;
    crypto::DhtKey inbox{};
    inbox.fill(0x5a);
    // The 256 lanes an inbox can have differ only in the last byte.
    std::set<std::size_t> lanes;
    for (unsigned lane = 0; lane < 256; ++lane) lanes.insert(hash(crypto::inboxLaneKey(inbox, lane, 256)));
    CHECK(lanes.size() == 256);
    // So do keys a peer makes by changing any one byte.
    for (std::size_t at = 0; at < inbox.size(); ++at) {
        std::set<std::size_t> hashes;
        for (unsigned byte = 0; byte < 16; ++byte) {
            auto key = inbox;
            key[at] = static_cast<std::uint8_t>(byte);
            hashes.insert(hash(key));
        }
        CHECK(hashes.size() == 16);
    }
    // And the hash is a function of the key.
    CHECK(hash(inbox) == hash(crypto::DhtKey(inbox)));
}
