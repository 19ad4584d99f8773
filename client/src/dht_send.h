#pragma once
// `dhtpush send --dht HOST:PORT`: a peer without HTTP. A short-lived DHT node joins the
// network through HOST:PORT, puts the encrypted envelope where the subscription's proxies
// watch (node::publishToToken), and the command ends once a storing node took it.
#include <chrono>
#include <cstdint>
#include <string>

#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"
#include "dhtpush/node/inbox_keys.h"

namespace dhtpush::client {

// The envelope a node would make of the POST that `buildPushRequest` builds for `endpoint`:
// its body, TTL, urgency, Topic, content coding and Authorization header (as `vap`), a fresh
// message id and this machine's clock. Invalid: what buildPushRequest refuses, a TTL above
// the envelope maximum, an envelope that would not decode.
Expected<node::Envelope> envelopeForEndpoint(const std::string& endpoint, const std::string& message,
                                             const PushOptions& options, std::int64_t nowUnixMs);

struct DhtSendOptions {
    std::string bootstrap;  // HOST:PORT of any node of the network
    std::uint32_t network{0};  // as the nodes' --network: the DHT's id also depends on the scheme
    node::InboxKeyScheme inboxKeys{node::InboxKeyScheme::Lanes};  // the network's --inbox-keys
    std::chrono::seconds deadline{30};  // to join and have the put taken
};

// 0 sent, 1 not taken within the deadline or a bad endpoint, 2 bad usage.
int sendThroughDhtCommand(const DhtSendOptions& dht, const std::string& endpoint, const std::string& message,
                          const PushOptions& options);

}  // namespace dhtpush::client
