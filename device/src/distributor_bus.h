#pragma once
// The distributor on the D-Bus session bus: owns org.unifiedpush.Distributor.<suffix> and
// serves /org/unifiedpush/Distributor with org.unifiedpush.Distributor2 (a{sv} in and out)
// and the legacy org.unifiedpush.Distributor1. A call whose fields fall outside the
// specification is ignored, as the spec asks: nothing changes, and the caller gets
// org.freedesktop.DBus.Error.InvalidArgs (a method with a reply must be answered).
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <string>

#include "registrar.h"

namespace sdbus {
class IConnection;
class IObject;
}  // namespace sdbus

namespace dhtpush::device {

class DistributorBus {
public:
    // Throws sdbus::Error when the name cannot be had (another distributor holds it).
    DistributorBus(Registrar& registrar, const std::string& busName);
    ~DistributorBus();
    // Serves on a thread of its own until destroyed; `onLost` is called on that thread if the
    // bus goes away first (the session ended, or the bus daemon died).
    void start(std::function<void()> onLost);

private:
    void registerMethods();

    Registrar& registrar_;
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IObject> object_;
    std::atomic<bool> leaving_{false};
    std::thread thread_;
};

}  // namespace dhtpush::device
