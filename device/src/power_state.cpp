#include "power_state.h"

namespace dhtpush::device {

node::Urgency minUrgencyFor(const PowerState& state) {
    if (state.onBattery && state.batteryLow) return node::Urgency::High;
    const int favourable = (state.onBattery ? 0 : 1) + (state.metered ? 0 : 1);
    if (favourable == 2) return node::Urgency::VeryLow;
    if (favourable == 1) return node::Urgency::Low;
    return node::Urgency::Normal;
}

std::string describe(const PowerState& state) {
    std::string text = state.onBattery ? (state.batteryLow ? "on a low battery" : "on battery") : "on power";
    return text + (state.metered ? ", metered network" : ", unmetered network");
}

bool isLowWarningLevel(unsigned level) { return level >= 3 && level <= 5; }

bool isMetered(unsigned nmMetered) { return nmMetered == 1 || nmMetered == 3; }

}  // namespace dhtpush::device
