#pragma once
// Inbox ids whose DHT key lies next to the proxy's own DHT node id.
//
// A proxy listens at its inbox keys. When its node is the closest node to such a key, a
// sender's put reaches it directly (the first of the storing nodes it announces to) and the
// node's own storage reports it: one network hop instead of sender → storing node → listener.
// The id is ground: random ids until the key shares `bits` leading bits with the node id, so
// in a network of fewer than about 2^(bits+4) nodes the proxy's node is among a key's storing
// nodes, usually the closest.
#include <cstddef>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/crypto/token.h"

namespace dhtpush::crypto {

// Enough for a network of a million nodes; 2^16 SHA-256 on average per inbox (≈10 ms).
constexpr unsigned INBOX_PLACEMENT_BITS = 16;

// SHA-256("dhtpush/v2/inbox-key" || inbox id), first 20 bytes: the DHT key of every
// version-2 token in that inbox. nullopt unless the id has INBOX_ID_BYTES.
std::optional<DhtKey> inboxKey(const Bytes& inboxId);

// A fresh random inbox id whose key starts with the first `bits` bits of `nodeId` (at most
// 32, the grinding doubles with each bit).
Bytes inboxIdNear(const DhtKey& nodeId, unsigned bits = INBOX_PLACEMENT_BITS);

// How many leading bits two keys share.
unsigned sharedPrefixBits(const DhtKey& a, const DhtKey& b);

}  // namespace dhtpush::crypto
