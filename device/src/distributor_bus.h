#pragma once
// The distributor on the D-Bus session bus: owns org.unifiedpush.Distributor.<suffix> and
// serves /org/unifiedpush/Distributor with org.unifiedpush.Distributor2 (a{sv} in and out)
// and the legacy org.unifiedpush.Distributor1. A call whose fields fall outside the
// specification is ignored, as the spec asks: nothing changes, and the caller gets
// org.freedesktop.DBus.Error.InvalidArgs (a method with a reply must be answered).
#include <memory>
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
    // Serves on a thread of its own until destroyed.
    void start();

private:
    void registerMethods();

    Registrar& registrar_;
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IObject> object_;
};

}  // namespace dhtpush::device
