// The device's wait before it opens a proxy's stream again (reconnect_backoff.h).
#include "reconnect_backoff.h"

#include <random>

#include <catch2/catch.hpp>

using dhtpush::client::ReconnectBackoff;
using namespace std::chrono;

TEST_CASE("reconnect waits double up to 30 s while streams fail, with at most half again of jitter",
          "[unit][client]") {
    ReconnectBackoff backoff;
    std::mt19937 random(7);
    milliseconds base = ReconnectBackoff::FIRST;
    for (int attempt = 0; attempt < 12; ++attempt) {
        const auto wait = backoff.next(milliseconds(10), random);
        CHECK(wait >= base);
        CHECK(wait <= base + base / 2);
        base = std::min(base * 2, ReconnectBackoff::MAX);
    }
    CHECK(base == ReconnectBackoff::MAX);
}

// Regression: the wait never came down, so a device that had once waited 30 s waited that
// long again after every later drop, however long its streams had been up.
TEST_CASE("after a stream that stayed up a minute, the next wait starts again at 500 ms", "[unit][client]") {
    ReconnectBackoff backoff;
    std::mt19937 random(7);
    for (int attempt = 0; attempt < 10; ++attempt) backoff.next(milliseconds(10), random);
    const auto wait = backoff.next(minutes(5), random);
    CHECK(wait <= ReconnectBackoff::FIRST + ReconnectBackoff::FIRST / 2);
    // And a stream that ends at once after that doubles again from there.
    CHECK(backoff.next(milliseconds(10), random) <= 2 * ReconnectBackoff::FIRST * 3 / 2);
}
