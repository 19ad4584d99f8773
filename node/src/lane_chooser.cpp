#include "lane_chooser.h"

#include <algorithm>
#include <cstring>


namespace dhtpush::node {

std::size_t LaneChooser::KeyHash::operator()(const crypto::DhtKey& key) const noexcept {
    std::size_t h;  // a DHT key is a hash already: its first bytes will do
    std::memcpy(&h, key.data(), sizeof h);
    return h;
}

unsigned LaneChooser::next(const crypto::DhtKey& inboxKey, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = inboxes_.find(inboxKey);
    if (it == inboxes_.end()) {
        if (inboxes_.size() >= MAX_INBOXES) forgetIdle(now);
        if (inboxes_.size() >= MAX_INBOXES) return 0;
        it = inboxes_.emplace(inboxKey, Inbox{now}).first;
    }
    auto& inbox = it->second;
    if (now - inbox.windowStart >= WINDOW) {
        // A window with no value at all in between counts as quiet: start from one lane.
        const bool contiguous = now - inbox.windowStart < 2 * WINDOW;
        const auto perWindow = VALUES_PER_LANE_PER_SECOND *
                               static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(WINDOW).count());
        const auto wanted = contiguous ? (inbox.valuesInWindow + perWindow - 1) / perWindow : 1;
        inbox.lanes = static_cast<unsigned>(std::clamp<std::size_t>(wanted, 1, maxLanes_));
        inbox.windowStart = now;
        inbox.valuesInWindow = 0;
        inbox.nextLane = 0;
    }
    ++inbox.valuesInWindow;
    const auto lane = inbox.nextLane % inbox.lanes;
    inbox.nextLane = lane + 1;
    return lane;
}

std::size_t LaneChooser::inboxes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return inboxes_.size();
}

void LaneChooser::forgetIdle(Clock::time_point now) {
    if (lastSweep_ != Clock::time_point{} && now - lastSweep_ < WINDOW) return;
    lastSweep_ = now;
    for (auto it = inboxes_.begin(); it != inboxes_.end();) {
        if (now - it->second.windowStart >= 2 * WINDOW) it = inboxes_.erase(it);
        else ++it;
    }
}

}  // namespace dhtpush::node
