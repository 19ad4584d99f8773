#include <map>
#include <set>

#include "dhtpush/crypto/inbox_lanes.h"
#include "lane_chooser.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using node::LaneChooser;

namespace {

crypto::DhtKey keyOf(std::uint32_t n) {
    crypto::DhtKey key{};
    for (std::size_t i = 0; i < 4; ++i) key[i] = static_cast<std::uint8_t>(n >> (8 * i));
    return key;
}

// How many of `count` values put within one instant each lane takes.
std::map<unsigned, std::size_t> shares(LaneChooser& chooser, const crypto::DhtKey& key, std::size_t count,
                                       LaneChooser::Clock::time_point at) {
    std::map<unsigned, std::size_t> taken;
    for (std::size_t i = 0; i < count; ++i) ++taken[chooser.next(key, at)];
    return taken;
}

// The lanes `count` values put within one instant use.
std::set<unsigned> lanesOf(LaneChooser& chooser, const crypto::DhtKey& key, std::size_t count,
                           LaneChooser::Clock::time_point at) {
    std::set<unsigned> lanes;
    for (const auto& share : shares(chooser, key, count, at)) lanes.insert(share.first);
    return lanes;
}

}  // namespace

TEST_CASE("an inbox a node puts to now and then stays on lane 0", "[node][lanes]") {
    LaneChooser chooser;
    const auto t0 = LaneChooser::Clock::time_point{} + std::chrono::hours(1);
    for (int window = 0; window < 5; ++window)
        CHECK(lanesOf(chooser, keyOf(1), 20, t0 + window * LaneChooser::WINDOW) == std::set<unsigned>{0});
}

TEST_CASE("a busy inbox spreads over as many lanes as its rate needs, one run of values a lane", "[node][lanes]") {
    LaneChooser chooser;
    const auto t0 = LaneChooser::Clock::time_point{} + std::chrono::hours(1);
    const auto perLane = LaneChooser::VALUES_PER_LANE_PER_SECOND * 10;  // values a lane takes in a 10 s window
    CHECK(lanesOf(chooser, keyOf(1), 3 * perLane, t0) == std::set<unsigned>{0});  // the first window: one lane
    // The next window uses three lanes, each for a run of its share in a row.
    const auto next = t0 + LaneChooser::WINDOW;
    CHECK(lanesOf(chooser, keyOf(1), perLane, next) == std::set<unsigned>{0});
    CHECK(lanesOf(chooser, keyOf(1), perLane, next) == std::set<unsigned>{1});
    CHECK(lanesOf(chooser, keyOf(1), perLane, next) == std::set<unsigned>{2});
    // More values than the last window's wrap around to lane 0.
    CHECK(chooser.next(keyOf(1), next) == 0);
    // A flood is capped at 16 lanes, each taking an equal share.
    shares(chooser, keyOf(3), 1000 * perLane, t0);
    const auto flood = shares(chooser, keyOf(3), 1000 * perLane, next);
    CHECK(flood.size() == crypto::INBOX_LANES);
    for (const auto& share : flood) CHECK(share.second == 1000 * perLane / crypto::INBOX_LANES);
    // After a quiet window it starts from one lane again.
    CHECK(lanesOf(chooser, keyOf(3), 64, t0 + 4 * LaneChooser::WINDOW) == std::set<unsigned>{0});
    // Each inbox is counted on its own.
    CHECK(lanesOf(chooser, keyOf(2), 64, t0 + 4 * LaneChooser::WINDOW) == std::set<unsigned>{0});
}

TEST_CASE("the inboxes followed are bounded, past the bound a new inbox uses lane 0", "[node][lanes]") {
    LaneChooser chooser;
    const auto t0 = LaneChooser::Clock::time_point{} + std::chrono::hours(1);
    for (std::uint32_t n = 0; n < LaneChooser::MAX_INBOXES + 100; ++n) chooser.next(keyOf(n), t0);
    CHECK(chooser.inboxes() == LaneChooser::MAX_INBOXES);
    // Busy, but not followed: one lane.
    const auto stranger = keyOf(LaneChooser::MAX_INBOXES + 500);
    CHECK(lanesOf(chooser, stranger, 1000, t0) == std::set<unsigned>{0});
    CHECK(lanesOf(chooser, stranger, 1000, t0 + LaneChooser::WINDOW) == std::set<unsigned>{0});
    // Once the others are idle, they are let go and the newcomer is followed.
    chooser.next(stranger, t0 + 3 * LaneChooser::WINDOW);
    CHECK(chooser.inboxes() == 1);
}

TEST_CASE("a chooser of 64 lanes (the wide scheme) spreads a flood over all 64", "[node][lanes]") {
    LaneChooser chooser(64);
    const auto t0 = LaneChooser::Clock::now();
    const auto perLane = LaneChooser::VALUES_PER_LANE_PER_SECOND * 10;
    lanesOf(chooser, keyOf(1), 100 * perLane, t0);
    CHECK(lanesOf(chooser, keyOf(1), 100 * perLane, t0 + LaneChooser::WINDOW).size() == 64);
    LaneChooser single(1);
    lanesOf(single, keyOf(1), 100 * perLane, t0);
    CHECK(lanesOf(single, keyOf(1), 100 * perLane, t0 + LaneChooser::WINDOW) == std::set<unsigned>{0});
}
