// SlotSeenValues: a slotted watch hands each value of a listened slot over once, and forgets
// a slot's ids when it stops listening to it.
#include "slot_seen_values.h"

#include <catch2/catch.hpp>

using dhtpush::node::SlotSeenValues;

TEST_CASE("a slot's value is new once, and values of slots not listened to are always new", "[node][slots]") {
    SlotSeenValues seen;
    seen.keepOnly({"s1", "s2", "s3"});
    CHECK(seen.firstTime("s2", 7));
    CHECK_FALSE(seen.firstTime("s2", 7));  // the same value from a poll after the listen
    CHECK(seen.firstTime("s3", 7));        // another slot, another value
    CHECK(seen.firstTime("s9", 7));        // not listened to: not remembered (a hostile tag
    CHECK(seen.firstTime("s9", 7));        // cannot grow what is kept)
    CHECK(seen.firstTime("", 8));
    CHECK(seen.size() == 2);
}

TEST_CASE("a slot's ids go when its listens end, and a new slot starts empty", "[node][slots]") {
    SlotSeenValues seen;
    seen.keepOnly({"s1", "s2", "s3"});
    for (std::uint64_t id = 0; id < 1000; ++id) seen.firstTime("s1", id);
    seen.firstTime("s2", 1);
    REQUIRE(seen.size() == 1001);
    seen.keepOnly({"s2", "s3", "s4"});  // the next minute
    CHECK(seen.size() == 1);
    CHECK_FALSE(seen.firstTime("s2", 1));  // kept
    CHECK(seen.firstTime("s4", 1));
    CHECK(seen.firstTime("s1", 5));  // s1 is no longer kept
    CHECK(seen.firstTime("s1", 5));
}
