#pragma once
// Publishing into the DHT without HTTP, for a messenger that runs its own OpenDHT node: one
// call puts a message where the subscription's proxies watch (docs/protocol.md, "Publishing
// without HTTP"). `dhtpush send --dht` uses it with a short-lived node of its own.
#include <opendht/dhtrunner.h>

#include <functional>
#include <memory>

#include "dhtpush/crypto/token.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::node {

// Where the message goes: the token's own key (version 1), or lane 0 of its inbox.
dht::InfoHash pushKeyFor(const crypto::SubscriptionToken& token);
// The value that carries it: an envelope (type 0x7055, its id from the message id) at a
// version-1 key, a batch of one (type 0x7056, a random id) for an inbox token's recipient.
std::shared_ptr<dht::Value> pushValueFor(const crypto::SubscriptionToken& token, const Envelope& envelope);

// Puts the message with `runner` (running, on the network of the subscription's proxies);
// `done(true)` (OpenDHT's thread) once a storing node took it, `done(false)` when none did.
// The envelope must be valid (encodeEnvelope, then decodeEnvelope, accepts it).
void publishToToken(dht::DhtRunner& runner, const crypto::SubscriptionToken& token, const Envelope& envelope,
                    std::function<void(bool stored)> done);

}  // namespace dhtpush::node
