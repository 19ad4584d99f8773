#pragma once
// Publishing by token: where a token's message goes in the DHT (its key, and its recipient
// inside an inbox), and this node's own limits on putting, answered as values rather than
// found out later: not connected, too many puts under way, or one more distinct key than
// the budget allows (publish_key_budget.h). A key this node watches is not counted: its search
// exists already, and a full budget must not shut the node's own subscriptions off.
// Not thread-safe: one thread (the HTTP thread) only.
#include <chrono>
#include <functional>
#include <optional>

#include "dhtpush/crypto/token.h"
#include "dhtpush/expected.h"
#include "dhtpush/node/publish_key_budget.h"
#include "dhtpush/node/push_network.h"

namespace dhtpush::node {

struct PublishLimits {
    bool standalone{false};        // a node without peers: not connected is normal
    std::size_t maxBacklog{2048};  // puts under way
    std::size_t maxKeys{10000};    // distinct keys within OpenDHT's search lifetime (0: no limit)
};

// Unavailable, and how long the sender should wait (0: no advice).
struct PublishRefusal {
    Error error;
    std::chrono::seconds retryAfter{0};
};

class TokenPublisher {
public:
    using WatchedHere = std::function<bool(const crypto::DhtKey&)>;  // any thread

    TokenPublisher(PushNetwork& network, PublishLimits limits, WatchedHere watchedHere);

    // Whether this node can put now at all (connected, backlog).
    std::optional<PublishRefusal> ready() const;
    // Whether a message to this token would count a key the budget does not count yet: the
    // caller may charge its sender's share of the budget first.
    bool takesNewKey(const crypto::SubscriptionToken& token) const;
    // Counts the token's key (renews a counted one); a refusal when the budget is full.
    std::optional<PublishRefusal> admit(const crypto::SubscriptionToken& token);
    // `done` (the DHT node's strand, may be empty) says whether a storing node took it.
    void publish(const crypto::SubscriptionToken& token, const Envelope& envelope, PushNetwork::DoneCallback done);

private:
    PushNetwork& network_;
    PublishLimits limits_;
    WatchedHere watchedHere_;
    PublishKeyBudget budget_;
};

}  // namespace dhtpush::node
