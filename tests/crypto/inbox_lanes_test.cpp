#include <set>

#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/inbox_placement.h"

#include <catch2/catch.hpp>

using namespace dhtpush::crypto;

TEST_CASE("an inbox's lanes are 16 keys next to its key, lane 0 the key itself", "[crypto][inbox]") {
    const auto key = *inboxKey(Bytes(INBOX_ID_BYTES, 7));
    CHECK(inboxLaneKey(key, 0) == key);  // where nodes of earlier releases put and listen
    std::set<DhtKey> lanes;
    for (unsigned lane = 0; lane < INBOX_LANES; ++lane) {
        const auto laneKey = inboxLaneKey(key, lane);
        lanes.insert(laneKey);
        // The same storing nodes: only the last 4 bits differ, so the placement holds.
        CHECK(sharedPrefixBits(laneKey, key) >= 8 * laneKey.size() - 4);
    }
    CHECK(lanes.size() == INBOX_LANES);
    CHECK(inboxLaneKey(key, INBOX_LANES + 3) == inboxLaneKey(key, 3));  // taken modulo the lanes
}
