#pragma once
// Publishing into the DHT without HTTP, for a messenger that runs its own OpenDHT node: one
// call puts a message where the subscription's proxies watch (docs/protocol.md, "Publishing
// without HTTP"). `dhtpush send --dht` uses it with a short-lived node of its own.
#include <opendht/dhtrunner.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "dhtpush/crypto/token.h"
#include "dhtpush/node/envelope.h"
#include "dhtpush/node/inbox_keys.h"

namespace dhtpush::node {

// Where the message goes: the token's own key (version 1), or lane 0 of its inbox.
dht::InfoHash pushKeyFor(const crypto::SubscriptionToken& token);
// The value that carries it: an envelope (type 0x7055, its id from the message id) at a
// version-1 key, a batch of one (type 0x7056, a random id) for an inbox token's recipient,
// tagged with its time slot when the network's scheme has slots (`unixSeconds`: now).
std::shared_ptr<dht::Value> pushValueFor(const crypto::SubscriptionToken& token, const Envelope& envelope,
                                         const InboxKeys& keys, std::int64_t unixSeconds);
std::shared_ptr<dht::Value> pushValueFor(const crypto::SubscriptionToken& token, const Envelope& envelope,
                                         const InboxKeys& keys = InboxKeys());

// Puts the message with `runner` (running, on the network of the subscription's proxies:
// dhtNetworkId of the network and `keys`' scheme); `done(true)` (OpenDHT's thread) once a
// storing node took it, `done(false)` when none did. The envelope must be valid
// (encodeEnvelope, then decodeEnvelope, accepts it).
void publishToToken(dht::DhtRunner& runner, const crypto::SubscriptionToken& token, const Envelope& envelope,
                    std::function<void(bool stored)> done, const InboxKeys& keys = InboxKeys());

}  // namespace dhtpush::node
