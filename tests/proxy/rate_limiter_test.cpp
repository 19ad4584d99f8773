#include "rate_limiter.h"

#include <catch2/catch.hpp>

using dhtpush::proxy::RateLimiter;
using namespace std::chrono_literals;

TEST_CASE("a bucket lets a burst through, then the rate, and says how long to wait", "[proxy][rate_limiter]") {
    RateLimiter limiter(2.0, 5);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i) CHECK_FALSE(limiter.take("a", t0));
    const auto refused = limiter.take("a", t0);
    REQUIRE(refused);
    CHECK(*refused == 1s);
    CHECK_FALSE(limiter.take("b", t0));  // another key has its own bucket
    CHECK_FALSE(limiter.take("a", t0 + 500ms));  // one token a half second
    CHECK(limiter.take("a", t0 + 500ms));
    for (int i = 0; i < 5; ++i) CHECK_FALSE(limiter.take("a", t0 + 1h));  // refilled up to the burst only
    CHECK(limiter.take("a", t0 + 1h));
}

TEST_CASE("a slow rate gives a long Retry-After", "[proxy][rate_limiter]") {
    RateLimiter limiter(1.0 / 60, 1);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    CHECK_FALSE(limiter.take("a", t0));
    const auto refused = limiter.take("a", t0);
    REQUIRE(refused);
    CHECK(*refused == 60s);
}

TEST_CASE("rate 0 is no limit", "[proxy][rate_limiter]") {
    RateLimiter limiter(0, 1);
    for (int i = 0; i < 1000; ++i) CHECK_FALSE(limiter.take("a", RateLimiter::Clock::now()));
    CHECK(limiter.size() == 0);
}

TEST_CASE("at most maxKeys buckets are kept, the least recently used goes", "[proxy][rate_limiter]") {
    RateLimiter limiter(1.0, 1, 2);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    CHECK_FALSE(limiter.take("a", t0));
    CHECK_FALSE(limiter.take("b", t0));
    CHECK(limiter.take("a", t0));        // a used again: b is now the oldest
    CHECK_FALSE(limiter.take("c", t0));  // evicts b
    CHECK(limiter.size() == 2);
    CHECK(limiter.take("a", t0));        // a was kept, still empty
    CHECK_FALSE(limiter.take("b", t0));  // b was forgotten: full again
}
