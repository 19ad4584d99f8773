#include "power_monitor.h"

#include "distributor_log.h"

namespace dhtpush::device {
namespace {

constexpr const char* UPOWER = "org.freedesktop.UPower";
constexpr const char* UPOWER_PATH = "/org/freedesktop/UPower";
constexpr const char* UPOWER_DEVICE = "org.freedesktop.UPower.Device";
constexpr const char* DISPLAY_DEVICE_PATH = "/org/freedesktop/UPower/devices/DisplayDevice";
constexpr const char* NETWORK_MANAGER = "org.freedesktop.NetworkManager";
constexpr const char* NETWORK_MANAGER_PATH = "/org/freedesktop/NetworkManager";
constexpr const char* PROPERTIES = "org.freedesktop.DBus.Properties";

template <class T>
std::optional<T> valueOf(const std::map<std::string, sdbus::Variant>& properties, const char* name) {
    auto it = properties.find(name);
    if (it == properties.end() || !it->second.containsValueOfType<T>()) return std::nullopt;
    return it->second.get<T>();
}

}  // namespace

PowerMonitor::PowerMonitor(OnChange onChange) : onChange_(std::move(onChange)) {}

PowerMonitor::~PowerMonitor() {
    if (connection_) connection_->leaveEventLoop();
    if (loop_.joinable()) loop_.join();
}

std::unique_ptr<PowerMonitor> PowerMonitor::start(OnChange onChange) {
    std::unique_ptr<PowerMonitor> monitor(new PowerMonitor(std::move(onChange)));
    try {
        monitor->connect();
    } catch (const sdbus::Error& e) {
        logLine(LogLevel::Warning, "no system bus (" + e.getMessage() + "): taking messages of every urgency");
        return nullptr;
    }
    return monitor;
}

void PowerMonitor::connect() {
    connection_ = sdbus::createSystemBusConnection();
    upower_ = sdbus::createProxy(*connection_, UPOWER, UPOWER_PATH);
    displayDevice_ = sdbus::createProxy(*connection_, UPOWER, DISPLAY_DEVICE_PATH);
    networkManager_ = sdbus::createProxy(*connection_, NETWORK_MANAGER, NETWORK_MANAGER_PATH);
    // Subscribed before the first read, so that no change falls between the two.
    for (auto* proxy : {upower_.get(), displayDevice_.get(), networkManager_.get()}) {
        proxy->uponSignal("PropertiesChanged")
            .onInterface(PROPERTIES)
            .call([this](const std::string&, const std::map<std::string, sdbus::Variant>& changed,
                         const std::vector<std::string>&) { apply(changed); });
        proxy->finishRegistration();
    }
    std::map<std::string, sdbus::Variant> first;
    auto read = [&first](sdbus::IProxy& proxy, const char* interface, const char* name) {
        try {
            first[name] = proxy.getProperty(name).onInterface(interface);
        } catch (const sdbus::Error&) {
            // the service is not running, or has no such property: the favourable default
        }
    };
    read(*upower_, UPOWER, "OnBattery");
    read(*displayDevice_, UPOWER_DEVICE, "WarningLevel");
    read(*networkManager_, NETWORK_MANAGER, "Metered");
    apply(first);
    // Our own thread rather than sdbus-c++'s: when the system bus goes, its loop throws, and an
    // exception out of a thread would end the distributor. The state then stays as it was.
    loop_ = std::thread([this] {
        try {
            connection_->enterEventLoop();
        } catch (const sdbus::Error& e) {
            logLine(LogLevel::Warning, "system bus lost (" + e.getMessage() + "): the power state stays as it was");
        }
    });
}

void PowerMonitor::apply(const std::map<std::string, sdbus::Variant>& changed) {
    PowerState state;
    node::Urgency urgency;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // Each property is taken only with the type its service documents.
        if (auto onBattery = valueOf<bool>(changed, "OnBattery")) state_.onBattery = *onBattery;
        if (auto level = valueOf<std::uint32_t>(changed, "WarningLevel")) warningLow_ = isLowWarningLevel(*level);
        if (auto metered = valueOf<std::uint32_t>(changed, "Metered")) state_.metered = isMetered(*metered);
        state_.batteryLow = state_.onBattery && warningLow_;
        state = state_;
        urgency = minUrgencyFor(state);
        if (reported_ && urgency == urgency_) return;
        reported_ = true;
        urgency_ = urgency;
    }
    onChange_(urgency, state);
}

}  // namespace dhtpush::device
