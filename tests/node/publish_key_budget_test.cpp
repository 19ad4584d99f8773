#include "dhtpush/node/publish_key_budget.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using dhtpush::node::PublishKeyBudget;

namespace {

crypto::DhtKey keyNumber(std::uint8_t n) {
    crypto::DhtKey key{};
    key[0] = n;
    return key;
}

const auto T0 = PublishKeyBudget::Clock::time_point{} + std::chrono::hours(1);

}  // namespace

TEST_CASE("a publish key budget refuses a new key once it counts its maximum", "[unit]") {
    PublishKeyBudget budget(2, std::chrono::minutes(10));
    CHECK(budget.admit(keyNumber(1), T0));
    CHECK(budget.admit(keyNumber(2), T0));
    CHECK_FALSE(budget.admit(keyNumber(3), T0));
    CHECK(budget.size() == 2);
    // Keys it counts stay usable.
    CHECK(budget.admit(keyNumber(1), T0 + std::chrono::minutes(1)));
    CHECK(budget.admit(keyNumber(2), T0 + std::chrono::minutes(1)));
}

TEST_CASE("a publish key budget frees a key the window after its last use", "[unit]") {
    PublishKeyBudget budget(2, std::chrono::minutes(10));
    REQUIRE(budget.admit(keyNumber(1), T0));
    REQUIRE(budget.admit(keyNumber(2), T0 + std::chrono::minutes(5)));
    // Key 1 used again at 8 min: key 2, last used at 5 min, is the older one now.
    REQUIRE(budget.admit(keyNumber(1), T0 + std::chrono::minutes(8)));
    CHECK_FALSE(budget.admit(keyNumber(3), T0 + std::chrono::minutes(14)));
    CHECK(budget.admit(keyNumber(3), T0 + std::chrono::minutes(15)));  // key 2 is 10 min old
    CHECK_FALSE(budget.admit(keyNumber(2), T0 + std::chrono::minutes(15)));
    CHECK(budget.admit(keyNumber(2), T0 + std::chrono::minutes(18)));  // key 1 is 10 min old
    CHECK(budget.size() == 2);
}

TEST_CASE("a publish key budget of 0 has no limit", "[unit]") {
    PublishKeyBudget budget(0);
    for (std::uint8_t n = 0; n < 200; ++n) CHECK(budget.admit(keyNumber(n), T0));
}
