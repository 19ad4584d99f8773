#pragma once
// Follows the device's power and network state on the system bus, as UPower
// (org.freedesktop.UPower: OnBattery; its DisplayDevice: WarningLevel) and NetworkManager
// (Metered) publish it, and reports the minimum urgency it calls for (power_state.h) each
// time that changes. A service that is absent counts as the favourable state (on power, an
// unmetered network): a desktop without UPower takes every message.
#include <sdbus-c++/sdbus-c++.h>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "power_state.h"

namespace dhtpush::device {

class PowerMonitor {
public:
    // Called on the monitor's thread, first from start(), then on each change of urgency.
    using OnChange = std::function<void(node::Urgency, const PowerState&)>;

    // Null when the system bus cannot be reached (logged): the caller keeps every message.
    static std::unique_ptr<PowerMonitor> start(OnChange onChange);
    ~PowerMonitor();

private:
    explicit PowerMonitor(OnChange onChange);
    void connect();
    // Applies the properties a PropertiesChanged signal (or a first read) carries.
    void apply(const std::map<std::string, sdbus::Variant>& changed);

    OnChange onChange_;
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IProxy> upower_, displayDevice_, networkManager_;
    std::thread loop_;  // the connection's event loop
    std::mutex mutex_;
    PowerState state_;
    bool warningLow_{false};  // the display device's warning level, whether on battery or not
    bool reported_{false};
    node::Urgency urgency_{node::Urgency::VeryLow};
};

}  // namespace dhtpush::device
