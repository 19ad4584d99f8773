#include "envelope_time.h"

#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::node::Envelope;
using dhtpush::node::Urgency;
using dhtpush::proxy::boundEnvelopeTime;
using dhtpush::proxy::EnvelopeTimeRules;
using dhtpush::proxy::orderingTimeMs;

namespace {

constexpr std::uint64_t NOW_MS = 1700000000000;
const EnvelopeTimeRules RULES{std::chrono::seconds(60), 3600};

Envelope createdAt(std::uint64_t createdMs, std::uint32_t ttl = 600) {
    auto e = Envelope::create(ttl, Urgency::Normal, "", "", {});
    e.createdMs = createdMs;
    return e;
}

}  // namespace

TEST_CASE("an envelope created up to the allowed skew ahead of our clock passes", "[proxy][envelope_time]") {
    for (std::uint64_t created : {NOW_MS - 3000000, NOW_MS, NOW_MS + 60000}) {
        CAPTURE(created);
        auto e = createdAt(created);
        CHECK(boundEnvelopeTime(e, NOW_MS, RULES).ok());
        CHECK(e.createdMs == created);
    }
}

// Regression (issue 12): a forged `ct` far ahead made later real messages with the same
// Topic look older, and they were dropped.
TEST_CASE("an envelope created further ahead is refused, and nothing overflows", "[proxy][envelope_time]") {
    for (std::uint64_t created : {NOW_MS + 60001, NOW_MS + std::uint64_t{86400000}, std::numeric_limits<std::uint64_t>::max(),
                                  std::numeric_limits<std::uint64_t>::max() / 2}) {
        CAPTURE(created);
        auto e = createdAt(created);
        const auto s = boundEnvelopeTime(e, NOW_MS, RULES);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == Errc::Invalid);
    }
}

TEST_CASE("a TTL above --max-ttl is capped, so an old ct is simply expired", "[proxy][envelope_time]") {
    auto e = createdAt(NOW_MS - 2 * 3600 * 1000, 28 * 24 * 3600);
    REQUIRE(boundEnvelopeTime(e, NOW_MS, RULES).ok());
    CHECK(e.ttlSeconds == 3600);
    CHECK(e.expiredAt(std::chrono::system_clock::time_point(std::chrono::milliseconds(NOW_MS))));
    auto zero = createdAt(0, 28 * 24 * 3600);
    REQUIRE(boundEnvelopeTime(zero, NOW_MS, RULES).ok());
    CHECK(zero.expiredAt(std::chrono::system_clock::time_point(std::chrono::milliseconds(NOW_MS))));
}

TEST_CASE("messages are ordered by their creation time, never later than now", "[proxy][envelope_time]") {
    CHECK(orderingTimeMs(createdAt(NOW_MS - 5), NOW_MS) == static_cast<std::int64_t>(NOW_MS - 5));
    CHECK(orderingTimeMs(createdAt(NOW_MS + 59000), NOW_MS) == static_cast<std::int64_t>(NOW_MS));
}
