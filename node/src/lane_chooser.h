#pragma once
// Which lane of an inbox (dhtpush/crypto/inbox_lanes.h) this node's next value goes to.
//
// Lanes cut the values one DHT key holds, but each key a node puts to is a search OpenDHT
// keeps for about an hour, and every packet the node handles walks its searches. So a node
// spreads an inbox over as many lanes as the rate of its own values to that inbox needs, and
// no more: an inbox it puts to now and then stays on lane 0 (one search, as before lanes);
// one it puts to at tens of values a second uses all 16.
//
// The rate is counted per inbox over windows of WINDOW; the next window uses one lane per
// VALUES_PER_LANE_PER_SECOND of it. The lanes take their turns in runs, not value by value:
// each takes its share of a window like the last one in a row. OpenDHT forgets a search's
// nodes each time its puts are all done, and asks each of them again ("find") at the next
// put; a lane busy for a run is asked once a run, where turns value by value cost those
// requests on nearly every value (issue 14's ingress profile: 5 finds a value, which with
// their answers were over a quarter of the node's DHT packets).
//
// At most MAX_INBOXES inboxes are followed; past that, a new inbox uses lane 0 until idle
// ones are let go (looked for at most once a window, so a sender spraying new inboxes costs
// no sweep per value). Thread-safe.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_map>

#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/token.h"

#include "dht_key_hash.h"

namespace dhtpush::node {

class LaneChooser {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::duration WINDOW = std::chrono::seconds(10);
    // 2 values a second at one lane are 1,200 values a lane over the DHT's 10 minutes.
    static constexpr std::size_t VALUES_PER_LANE_PER_SECOND = 2;
    static constexpr std::size_t MAX_INBOXES = 10000;

    // An inbox has `maxLanes` lanes (InboxKeys::lanes()).
    explicit LaneChooser(unsigned maxLanes = crypto::INBOX_LANES) : maxLanes_(std::max(1u, maxLanes)) {}

    // The lane (0 to maxLanes - 1) of the next value put to the inbox at `inboxKey`.
    unsigned next(const crypto::DhtKey& inboxKey, Clock::time_point now);
    // Inboxes followed now (bounded by MAX_INBOXES).
    std::size_t inboxes() const;

private:
    struct Inbox {
        Clock::time_point windowStart;
        std::size_t valuesInWindow{0};
        unsigned lanes{1};    // used in this window
        std::size_t run{1};  // values each lane takes in a row before the next lane's turn
    };
    // Drops inboxes whose last window ended over a window ago: they would start from one lane.
    void forgetIdle(Clock::time_point now);

    const unsigned maxLanes_;
    mutable std::mutex mutex_;
    Clock::time_point lastSweep_{};
    std::unordered_map<crypto::DhtKey, Inbox, DhtKeyHash> inboxes_;
};

}  // namespace dhtpush::node
