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
#include "work_queue.h"

namespace sdbus {
class IConnection;
class IObject;
}  // namespace sdbus

namespace dhtpush::device {

class DistributorBus {
public:
    // Register, Unregister and RemoveApp call the proxies: they run in order on a thread of
    // their own, at most this many waiting (past it: org.freedesktop.DBus.Error.LimitsExceeded),
    // so that a slow proxy does not hold the bus.
    static constexpr std::size_t MAX_WAITING_CALLS = 64;

    // Throws sdbus::Error when the name cannot be had (another distributor holds it).
    DistributorBus(Registrar& registrar, const std::string& busName);
    ~DistributorBus();
    // Serves on a thread of its own until destroyed; `onLost` is called on that thread if the
    // bus goes away first (the session ended, or the bus daemon died).
    void start(std::function<void()> onLost);

private:
    void registerMethods();
    // Queues `work` for the calls' thread; false (and logged) when the queue is full.
    bool later(std::function<void()> work);

    Registrar& registrar_;
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IObject> object_;
    std::atomic<bool> leaving_{false};
    std::thread thread_;
    std::unique_ptr<WorkQueue> work_;
};

}  // namespace dhtpush::device
