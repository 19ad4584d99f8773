#include "power_state.h"

#include <catch2/catch.hpp>

using namespace dhtpush::device;
using dhtpush::node::Urgency;

TEST_CASE("the minimum urgency follows UnifiedPush's table of device states", "[device]") {
    CHECK(minUrgencyFor({false, false, false}) == Urgency::VeryLow);  // on power, unmetered
    CHECK(minUrgencyFor({false, false, true}) == Urgency::Low);       // on power, metered
    CHECK(minUrgencyFor({true, false, false}) == Urgency::Low);       // on battery, unmetered
    CHECK(minUrgencyFor({true, false, true}) == Urgency::Normal);     // on battery, metered
    CHECK(minUrgencyFor({true, true, false}) == Urgency::High);       // battery low
    CHECK(minUrgencyFor({true, true, true}) == Urgency::High);
}

TEST_CASE("UPower's warning levels and NetworkManager's metered values are read as documented", "[device]") {
    for (unsigned level : {0u, 1u, 2u, 6u}) CHECK_FALSE(isLowWarningLevel(level));
    for (unsigned level : {3u, 4u, 5u}) CHECK(isLowWarningLevel(level));
    for (unsigned metered : {1u, 3u}) CHECK(isMetered(metered));
    for (unsigned metered : {0u, 2u, 4u, 9u}) CHECK_FALSE(isMetered(metered));
    CHECK(describe({true, false, true}) == "on battery, metered network");
}
