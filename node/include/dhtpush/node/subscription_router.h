#pragma once
// Where a subscription's messages are found in the DHT, and whom a value found there is for:
// a version-1 token is a key of its own; an inbox token (version 2) a recipient id inside its
// inbox's key, watched at every lane of the inbox (the node's scheme, inbox_keys.h) and shared by
// all the inbox's tokens. Listens are counted by reference, started at a paced rate (OpenDHT
// stalls on bursts of new listens: a proxy restarting with many subscriptions would stall its
// node), and what the DHT's thread hands over waits for room (HandoffBound). The proxy speaks
// tokens to it; a new routing scheme changes this and PushNetwork's implementation only.
//
// Used on one strand: every method but the counters and stop() runs there, and so does the
// callback.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "dhtpush/node/handoff_bound.h"
#include "dhtpush/node/push_network.h"

namespace dhtpush::node {

struct RouterLimits {
    std::size_t watchesPerSecond{2000};  // DHT listens started a second, at most
    // Envelopes the DHT's thread handed over and the strand has not taken yet (about 1 KiB
    // each); past it the DHT's thread waits.
    std::size_t maxDhtHandoff{16384};
};

class SubscriptionRouter : public std::enable_shared_from_this<SubscriptionRouter> {
public:
    using Strand = asio::strand<asio::io_context::executor_type>;
    // On the strand: an envelope stored for a watched token (values for other recipients of a
    // shared inbox, or put at another inbox's key, never reach it).
    using EnvelopeCallback = std::function<void(const std::string& token, const Envelope& envelope)>;

    SubscriptionRouter(Strand strand, PushNetwork& network, RouterLimits limits, EnvelopeCallback onEnvelope);

    // Idempotent. False for what is not a token. The DHT is watched for it from now on (paced).
    bool watch(const std::string& token);
    // Unknown tokens are ignored; an inbox's listens go with its last token.
    void unwatch(const std::string& token);
    // The watched keys of these tokens (an inbox's once for all its tokens); unknown tokens,
    // and keys whose listen has not started (its start fetches anyway), have none.
    std::set<crypto::DhtKey> keysOf(const std::vector<std::string>& tokens) const;
    // Has the DHT hand over again what these keys hold now (PushNetwork::refetch): the
    // callback then hears every envelope there for each watched token, also those it heard
    // before. Keys no longer watched are skipped. `done` (any thread) once every get ended:
    // whether all were answered.
    void refetch(const std::set<crypto::DhtKey>& keys, PushNetwork::DoneCallback done);
    // From any thread: cancels every listen; no callback runs after the strand has run it.
    void stop();

    // From any thread.
    // Whether the key is watched (or about to be): a put to it needs no search of its own.
    bool watches(const crypto::DhtKey& key) const;
    std::size_t watchCount() const { return watchCount_; }    // tokens watched
    std::size_t listenCount() const { return listenCount_; }  // DHT listens they need (an inbox: one per lane)
    std::size_t dhtHandoff() const { return fromDht_.inFlight(); }

private:
    struct Route {
        crypto::DhtKey key{};
        std::string recipient;  // empty: the key is the token's own (version 1)
    };
    struct KeyWatch {
        PushNetwork::WatchId watchId{0};
        bool watching{false};
        std::size_t tokens{0};
        std::string ownToken;  // the version-1 token whose key this is
    };
    std::size_t listensOf(const KeyWatch& watch) const;

    void startWatch(const crypto::DhtKey& key);
    void drainWatches();
    void onValue(const crypto::DhtKey& key, const crypto::Bytes& recipient, const Envelope& envelope);

    Strand strand_;
    PushNetwork& network_;
    RouterLimits limits_;
    EnvelopeCallback onEnvelope_;
    asio::steady_timer pacingTimer_;
    std::deque<crypto::DhtKey> watchQueue_;  // keys waiting for their DHT listen
    bool pacing_{false};
    bool stopped_{false};
    std::unordered_map<std::string, Route> routes_;             // by token
    std::map<crypto::DhtKey, KeyWatch> watches_;                 // by key
    std::unordered_map<std::string, std::string> byRecipient_;  // recipient id → token (version 2)
    HandoffBound fromDht_{limits_.maxDhtHandoff};
    mutable std::mutex keysMutex_;
    std::set<crypto::DhtKey> watchedKeys_;  // watches_'s keys, for other threads; guarded by keysMutex_
    std::atomic<std::size_t> watchCount_{0};
    std::atomic<std::size_t> listenCount_{0};
};

}  // namespace dhtpush::node
