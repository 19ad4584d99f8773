#pragma once
// The hash of a DHT key in our maps. A key is a hash already, but not one to take a slice
// of: the lanes of an inbox differ only in their last byte (crypto/inbox_lanes.h), and a
// hostile peer chooses the keys it puts to freely. So every byte counts, mixed with a seed
// drawn once per process, and neither lanes nor a peer's chosen keys share a bucket.
#include <cstddef>

#include "dhtpush/crypto/token.h"

namespace dhtpush::node {

struct DhtKeyHash {
    std::size_t operator()(const crypto::DhtKey& key) const noexcept;
};

}  // namespace dhtpush::node
