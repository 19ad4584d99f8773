#pragma once
// What this node stores for the push value types, bounded per key and in total.
//
// OpenDHT 2.4 does work per stored value that grows with what it holds: every store and every
// expiry scans the values of its key, and once the node holds more than its byte limit every
// store sweeps the whole storage (Dht::expireStore). At 1,000 messages/s that froze a node
// after four minutes (issue 19). Each value is counted here when it is admitted (the store
// policy, for other nodes' puts; before a put of our own, which OpenDHT stores here without
// asking the policy) and let go when its lifetime ends, so none of those scans can grow past
// the bounds, and OpenDHT's limit, set above ours, is never reached by push values.
// Thread-safe: store policies run on the DHT's thread, our own puts on the caller's.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "dhtpush/crypto/token.h"
#include "dhtpush/node/storage_limits.h"

#include "dht_key_hash.h"

namespace dhtpush::node {

class StorageBudget {
public:
    using Clock = std::chrono::steady_clock;
    // What a stored value costs besides its bytes: OpenDHT's value object, its storage and
    // quota entries and its expiry job (a few hundred bytes each value, rounded up).
    static constexpr std::size_t VALUE_OVERHEAD = 512;
    enum class Verdict { Admitted, KeyFull, StorageFull };

    explicit StorageBudget(StorageLimits limits);

    // Counts the value until its lifetime ends, if it fits.
    Verdict admit(const crypto::DhtKey& key, std::size_t bytes, Clock::time_point now);

    std::size_t bytes() const;
    std::size_t values() const;
    std::uint64_t refused() const;
    const StorageLimits& limits() const { return limits_; }

private:
    struct Admitted {
        Clock::time_point end;
        crypto::DhtKey key;
        std::size_t cost;
    };
    // With mutex_ held.
    void letGo(Clock::time_point now);

    const StorageLimits limits_;
    mutable std::mutex mutex_;
    std::deque<Admitted> admitted_;  // in order of end: every value lives `lifetime`
    std::unordered_map<crypto::DhtKey, std::size_t, DhtKeyHash> perKey_;
    std::size_t bytes_{0};
    std::uint64_t refused_{0};
};

}  // namespace dhtpush::node
