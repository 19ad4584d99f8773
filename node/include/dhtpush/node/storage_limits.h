#pragma once
// How much a node stores for the DHT's push values (docs/security.md, "DHT storage").
#include <chrono>
#include <cstddef>

namespace dhtpush::node {

struct StorageLimits {
    // Bytes of push values held for all keys, each value counted with OpenDHT's bookkeeping
    // (StorageBudget::VALUE_OVERHEAD): what this node's DHT storage may take of its memory.
    std::size_t maxBytes{std::size_t{512} << 20};
    // Values at one key: every store and expiry at a key scans its values. A little below
    // OpenDHT's own 65,536, past which it drops values without a word (a put it dropped would
    // still be answered 201); an inbox key of a proxy taking 1,000 messages/s holds ~37,500.
    std::size_t maxValuesPerKey{60000};
    std::chrono::seconds lifetime{std::chrono::minutes(10)};  // the value types' expiration
};

}  // namespace dhtpush::node
