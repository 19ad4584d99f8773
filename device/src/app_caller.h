#pragma once
// Calls apps back on their UnifiedPush connector (/org/unifiedpush/Connector on the app's bus
// name), in the version of the interface each registered with. A call to an app that is not
// running starts it by D-Bus activation (the bus does that for a method call to a name it can
// activate). NewEndpoint and Unregistered go through one connection, one at a time, in order;
// messages through one connection per lane of the message dispatch (message_dispatch.h).
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/crypto/bytes.h"
#include "registration.h"
#include "work_queue.h"

namespace sdbus {
class IConnection;
}

namespace dhtpush::device {

class AppCaller {
public:
    // How many NewEndpoint/Unregistered calls may wait (past it a call is dropped, and logged:
    // the app learns its endpoint again at its next Register).
    static constexpr std::size_t MAX_QUEUED = 1000;

    explicit AppCaller(std::size_t messageLanes);
    ~AppCaller();

    // Queued, so that the Register call that caused it is answered first.
    void newEndpoint(const Registration& registration);
    void unregistered(const Registration& registration);
    // Blocks until the app has taken the message (version 2: its reply names the message id;
    // version 1 has no reply: sent is taken). False when the app could not be reached. One
    // call at a time per lane (0 to messageLanes - 1); lanes run at once.
    bool message(std::size_t lane, const Registration& registration, const std::string& messageId,
                 const crypto::Bytes& body);
    // Runs `work` on the callers' thread after the calls queued so far.
    void later(std::function<void()> work) { post(std::move(work)); }
    // Returns once the calls and work queued so far are done.
    void finishQueued() { queue_.waitIdle(); }

private:
    void post(std::function<void()> call);
    // NewEndpoint (with the endpoint) or Unregistered, in the app's version.
    void notify(const Registration& registration, const char* member, const std::optional<std::string>& endpoint);

    std::mutex callMutex_;  // one call at a time on connection_
    std::unique_ptr<sdbus::IConnection> connection_;
    std::vector<std::unique_ptr<sdbus::IConnection>> laneConnections_;  // one per message lane
    WorkQueue queue_{MAX_QUEUED};  // last: it finishes its calls before the connection goes
};

}  // namespace dhtpush::device
