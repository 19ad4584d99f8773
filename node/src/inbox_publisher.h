#pragma once
// Puts for inbox keys (version-2 tokens): while puts to a key are in flight, messages for
// it wait and go out together in the next value, as one DHT put instead of one each. A lone
// message goes out at once. Thread-safe.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "dhtpush/crypto/token.h"
#include "dhtpush/node/envelope_batch.h"

namespace dhtpush::node {

class InboxPublisher {
public:
    using Done = std::function<void(bool ok)>;
    // Puts one encoded batch at the key and calls back once (on any thread) when it is done.
    using Put = std::function<void(const crypto::DhtKey& key, crypto::Bytes value, Done done)>;

    // Up to `putsInFlight` puts per key run at once: a slow storing node then delays the
    // messages behind one put, not every message for the inbox.
    InboxPublisher(Put put, std::size_t putsInFlight);

    void publish(const crypto::DhtKey& key, BatchEntry entry, Done done);
    // Messages handed over and not acknowledged yet (in flight or waiting).
    std::size_t backlog() const;
    std::uint64_t valuesPut() const { return valuesPut_; }

private:
    struct Waiting {
        BatchEntry entry;
        Done done;
    };
    struct KeyState {
        std::size_t inFlight{0};
        std::vector<Waiting> waiting;
    };

    // Called with mutex_ held: takes what fits in one value off the key's queue.
    std::vector<Waiting> takeBatch(KeyState& state);
    void send(const crypto::DhtKey& key, std::vector<Waiting> batch);
    void finished(const crypto::DhtKey& key, std::vector<Done> dones, bool ok);

    Put put_;
    std::size_t putsInFlight_;
    mutable std::mutex mutex_;
    std::map<crypto::DhtKey, KeyState> keys_;  // only keys with puts in flight
    std::size_t backlog_{0};
    std::atomic<std::uint64_t> valuesPut_{0};
};

}  // namespace dhtpush::node
