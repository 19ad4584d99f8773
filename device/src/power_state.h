#pragma once
// The device's state as UnifiedPush's D-Bus specification ranks it, and the lowest message
// urgency (RFC 8030 §5.3) worth waking the device for in that state:
//   very-low  on power and an unmetered network ("Wi-Fi")
//   low       on power or an unmetered network
//   normal    on battery and a metered network
//   high      battery low
#include <string>

#include "dhtpush/node/envelope.h"

namespace dhtpush::device {

struct PowerState {
    bool onBattery{false};
    bool batteryLow{false};  // UPower's warning level Low or worse, while on battery
    bool metered{false};     // NetworkManager's Metered: yes or guess-yes
};

node::Urgency minUrgencyFor(const PowerState& state);
// "on battery, metered network", for the log.
std::string describe(const PowerState& state);

// UPower's DisplayDevice WarningLevel (1 none, 2 discharging, 3 low, 4 critical, 5 action).
bool isLowWarningLevel(unsigned level);
// NetworkManager's NMMetered (0 unknown, 1 yes, 2 no, 3 guess-yes, 4 guess-no).
bool isMetered(unsigned nmMetered);

}  // namespace dhtpush::device
