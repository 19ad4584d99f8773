#pragma once
// Hands messages to apps in parallel: each app's messages in order and one at a time, over a
// bounded set of lanes (threads), so that an app slow to answer (up to the 25 s call timeout)
// holds back its own messages only, never another app's.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "push_transport.h"
#include "registration.h"

namespace dhtpush::device {

struct DispatchLimits {
    std::size_t lanes{4};           // apps called at once
    std::size_t queued{1000};       // messages held (waiting for their app or being handed), all apps together
    std::size_t queuedPerApp{100};  // waiting for one app: a flood to one app leaves room for the others
};

class MessageDispatch {
public:
    // Runs on lane `lane` (0 to lanes - 1); true when the app took the message.
    using Call = std::function<bool(std::size_t lane, const Registration&, const IncomingMessage&)>;
    // Runs on the same lane right after; the message counts as held until it returns. True:
    // hand it again, before the app's other messages.
    using Done = std::function<bool(const Registration&, const IncomingMessage&, bool taken)>;

    MessageDispatch(DispatchLimits limits, Call call, Done done);
    // Waits for the calls in flight; what is still queued is dropped (it stays at the proxies).
    ~MessageDispatch();
    MessageDispatch(const MessageDispatch&) = delete;
    MessageDispatch& operator=(const MessageDispatch&) = delete;

    // False when a bound is reached (nothing queued).
    bool enqueue(const Registration& registration, IncomingMessage message);
    // True while the message is queued or being handed.
    bool holds(const std::string& messageId) const;
    // Takes back an app's queued messages (not the one in flight), in order.
    std::deque<IncomingMessage> drain(const std::string& pushToken);
    std::size_t queuedFor(const std::string& pushToken) const;

private:
    struct AppQueue {
        Registration registration;
        std::deque<IncomingMessage> messages;
        bool busy{false};  // a lane is calling this app
    };
    void runLane(std::size_t lane);

    DispatchLimits limits_;
    Call call_;
    Done done_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::map<std::string, AppQueue> apps_;  // by push token; only apps with work
    std::deque<std::string> readyApps_;     // apps with a queued message and no call in flight, in turn
    std::unordered_set<std::string> held_;  // ids queued or in flight
    std::size_t queued_{0};
    bool stopping_{false};
    std::vector<std::thread> lanes_;  // last: they start once everything above exists
};

}  // namespace dhtpush::device
