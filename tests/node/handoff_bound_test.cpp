#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "await.h"
#include "dhtpush/node/handoff_bound.h"

using dhtpush::node::HandoffBound;
using dhtpush::test::waitUntil;

TEST_CASE("the DHT's thread waits for room once the hub holds its bound of envelopes", "[proxy]") {
    HandoffBound bound(2);
    REQUIRE(bound.acquire());
    REQUIRE(bound.acquire());
    std::atomic<bool> handed{false};
    std::thread giver([&] { handed = bound.acquire(); });
    // Still waiting after a while: there is no room until the hub takes one.
    CHECK_FALSE(waitUntil([&] { return handed.load(); }, std::chrono::milliseconds(200)));
    CHECK(bound.inFlight() == 2);
    bound.release();
    CHECK(waitUntil([&] { return handed.load(); }));
    giver.join();
    CHECK(bound.inFlight() == 2);
}

TEST_CASE("closing the handoff wakes a waiting giver and takes nothing more", "[proxy]") {
    HandoffBound bound(1);
    REQUIRE(bound.acquire());
    std::atomic<bool> returned{false}, handed{true};
    std::thread giver([&] {
        handed = bound.acquire();
        returned = true;
    });
    bound.close();
    CHECK(waitUntil([&] { return returned.load(); }));
    giver.join();
    CHECK_FALSE(handed);
    CHECK_FALSE(bound.acquire());
}
