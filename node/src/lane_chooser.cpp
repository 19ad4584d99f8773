#include "lane_chooser.h"

#include <algorithm>

namespace dhtpush::node {

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
        // Each lane takes its share of a window like the last one as one run of values
        // (rounded down, so that every lane has its turn in such a window).
        inbox.run = std::max<std::size_t>(1, contiguous ? inbox.valuesInWindow / inbox.lanes : 1);
        inbox.windowStart = now;
        inbox.valuesInWindow = 0;
    }
    const auto lane = static_cast<unsigned>((inbox.valuesInWindow / inbox.run) % inbox.lanes);
    ++inbox.valuesInWindow;
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
