#include <catch2/catch.hpp>

#include "storage_budget.h"

using namespace dhtpush;
using node::StorageBudget;

namespace {

crypto::DhtKey keyOf(std::uint8_t n) {
    crypto::DhtKey key{};
    key[0] = n;
    return key;
}

constexpr auto LIFETIME = std::chrono::seconds(600);

StorageBudget budget(std::size_t bytes, std::size_t perKey) {
    return StorageBudget(node::StorageLimits{bytes, perKey, LIFETIME});
}

}  // namespace

TEST_CASE("a DHT key holds at most its share of values until the first of them expires", "[node]") {
    auto b = budget(std::size_t{1} << 30, 3);
    const auto t0 = StorageBudget::Clock::now();
    for (int i = 0; i < 3; ++i) CHECK(b.admit(keyOf(1), 100, t0) == StorageBudget::Verdict::Admitted);
    CHECK(b.admit(keyOf(1), 100, t0) == StorageBudget::Verdict::KeyFull);
    CHECK(b.admit(keyOf(2), 100, t0) == StorageBudget::Verdict::Admitted);  // other keys are not held up
    CHECK(b.admit(keyOf(1), 100, t0 + LIFETIME - std::chrono::seconds(1)) == StorageBudget::Verdict::KeyFull);
    CHECK(b.admit(keyOf(1), 100, t0 + LIFETIME) == StorageBudget::Verdict::Admitted);
    CHECK(b.refused() == 2);
}

TEST_CASE("a node's DHT storage counts each value with its bookkeeping and lets it go when it expires", "[node]") {
    const auto cost = 1000 + StorageBudget::VALUE_OVERHEAD;
    auto b = budget(3 * cost, 100);
    const auto t0 = StorageBudget::Clock::now();
    for (std::uint8_t k = 0; k < 3; ++k) CHECK(b.admit(keyOf(k), 1000, t0 + std::chrono::seconds(k)) == StorageBudget::Verdict::Admitted);
    CHECK(b.bytes() == 3 * cost);
    CHECK(b.admit(keyOf(9), 1000, t0 + std::chrono::seconds(3)) == StorageBudget::Verdict::StorageFull);
    // The oldest goes at its end, and its room with it; the others stay.
    CHECK(b.admit(keyOf(9), 1000, t0 + LIFETIME) == StorageBudget::Verdict::Admitted);
    CHECK(b.values() == 3);
    CHECK(b.bytes() == 3 * cost);
}
