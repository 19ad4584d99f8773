#pragma once
// An inbox's values spread over 16 DHT keys, its lanes.
//
// OpenDHT's work per value at a key grows with the values that key holds: a storing node
// scans them on each store and each expiry, and a listener's cache walks them on each value
// it is told of. One busy inbox at one key therefore slows every put to it as its values pile
// up (issue 19's soak: 37,500 values at one key after ten minutes at 1,000 messages/s). A
// sending node spreads a busy inbox's values over lanes (node/src/lane_chooser.h); the proxy
// listens to all of them.
//
// Lane n's key is the inbox key with its last byte XORed with n: lane 0 is the inbox key
// itself (what nodes of earlier releases put to and listen at), and all lanes share their
// first 156 bits, so they have the same storing nodes and keep the inbox's placement.
#include <cstdint>

#include "dhtpush/crypto/token.h"

namespace dhtpush::crypto {

constexpr unsigned INBOX_LANES = 16;

// The key of `lane` (taken modulo `lanes`) of the inbox whose key is `inboxKey`. A node's
// inbox key scheme may give an inbox another number of lanes, at most 256
// (node/inbox_keys.h); the protocol's default is INBOX_LANES.
inline DhtKey inboxLaneKey(const DhtKey& inboxKey, unsigned lane, unsigned lanes = INBOX_LANES) {
    DhtKey key = inboxKey;
    key.back() = static_cast<std::uint8_t>(key.back() ^ (lane % lanes));
    return key;
}

}  // namespace dhtpush::crypto
