#include "message_dispatch.h"

namespace dhtpush::device {

MessageDispatch::MessageDispatch(DispatchLimits limits, Call call, Done done)
    : limits_(limits), call_(std::move(call)), done_(std::move(done)) {
    for (std::size_t lane = 0; lane < limits_.lanes; ++lane) lanes_.emplace_back([this, lane] { runLane(lane); });
}

MessageDispatch::~MessageDispatch() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& lane : lanes_) lane.join();
}

bool MessageDispatch::enqueue(const Registration& registration, IncomingMessage message) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queued_ >= limits_.queued || held_.count(message.id)) return false;
        auto& app = apps_[registration.pushToken];
        if (app.messages.size() >= limits_.queuedPerApp) return false;
        app.registration = registration;  // the newest: a Register may have changed its version
        held_.insert(message.id);
        app.messages.push_back(std::move(message));
        ++queued_;
        if (app.busy || app.messages.size() > 1) return true;  // already in turn, or being called
        readyApps_.push_back(registration.pushToken);
    }
    ready_.notify_one();
    return true;
}

bool MessageDispatch::holds(const std::string& messageId) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return held_.count(messageId) > 0;
}

std::deque<IncomingMessage> MessageDispatch::drain(const std::string& pushToken) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::deque<IncomingMessage> taken;
    auto it = apps_.find(pushToken);
    if (it == apps_.end()) return taken;
    taken.swap(it->second.messages);
    for (const auto& message : taken) held_.erase(message.id);
    queued_ -= taken.size();
    // Out of its turn too: a lane that finds it without messages skips it.
    if (!it->second.busy) apps_.erase(it);
    return taken;
}

std::size_t MessageDispatch::queuedFor(const std::string& pushToken) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = apps_.find(pushToken);
    return it == apps_.end() ? 0 : it->second.messages.size();
}

void MessageDispatch::runLane(std::size_t lane) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        ready_.wait(lock, [this] { return stopping_ || !readyApps_.empty(); });
        if (stopping_) return;
        const auto token = readyApps_.front();
        readyApps_.pop_front();
        auto app = apps_.find(token);
        if (app == apps_.end() || app->second.busy || app->second.messages.empty()) continue;  // drained meanwhile
        auto message = std::move(app->second.messages.front());
        app->second.messages.pop_front();
        app->second.busy = true;
        const auto registration = app->second.registration;
        lock.unlock();
        const bool taken = call_(lane, registration, message);
        const bool again = done_(registration, message, taken);
        lock.lock();
        app = apps_.find(token);  // there still: drain() keeps an app whose call is under way
        if (again && app != apps_.end()) {
            app->second.messages.push_front(std::move(message));  // still held and counted
        } else {
            held_.erase(message.id);
            --queued_;
        }
        if (app == apps_.end()) continue;
        app->second.busy = false;
        if (app->second.messages.empty()) {
            apps_.erase(app);
        } else {
            readyApps_.push_back(token);
            ready_.notify_one();
        }
    }
}

}  // namespace dhtpush::device
