#include "dhtpush/node/subscription_router.h"

#include <asio/post.hpp>

#include <algorithm>

#include "dhtpush/node/all_done.h"

namespace dhtpush::node {
namespace {
constexpr auto WATCH_PACING_STEP = std::chrono::milliseconds(25);
}

SubscriptionRouter::SubscriptionRouter(Strand strand, PushNetwork& network, RouterLimits limits,
                                       EnvelopeCallback onEnvelope)
    : strand_(strand), network_(network), limits_(limits), onEnvelope_(std::move(onEnvelope)), pacingTimer_(strand_) {}

bool SubscriptionRouter::watches(const crypto::DhtKey& key) const {
    std::lock_guard<std::mutex> lock(keysMutex_);
    return watchedKeys_.count(key) > 0;
}

std::size_t SubscriptionRouter::listensOf(const KeyWatch& watch) const {
    return watch.ownToken.empty() ? network_.inboxListens() : 1;
}

bool SubscriptionRouter::watch(const std::string& token) {
    const auto parsed = crypto::SubscriptionToken::parse(token);
    if (!parsed) return false;
    if (stopped_ || routes_.count(token)) return true;
    auto& route = routes_[token];
    route.key = parsed->dhtKey();
    const auto recipient = parsed->recipient();
    route.recipient.assign(recipient.begin(), recipient.end());
    auto& watch = watches_[route.key];
    {
        std::lock_guard<std::mutex> lock(keysMutex_);
        watchedKeys_.insert(route.key);
    }
    if (route.recipient.empty()) watch.ownToken = token;
    else byRecipient_[route.recipient] = token;
    watchCount_ = routes_.size();
    if (++watch.tokens > 1) return true;  // the key is watched (or queued) already
    listenCount_ += listensOf(watch);
    watchQueue_.push_back(route.key);
    if (!pacing_) {
        pacing_ = true;
        drainWatches();
    }
    return true;
}

void SubscriptionRouter::unwatch(const std::string& token) {
    auto it = routes_.find(token);
    if (it == routes_.end()) return;
    const auto& route = it->second;
    if (!route.recipient.empty()) byRecipient_.erase(route.recipient);
    // A version-1 key has one token; an inbox key is watched until its last one goes.
    auto watch = watches_.find(route.key);
    if (watch != watches_.end() && --watch->second.tokens == 0) {
        if (watch->second.watching) network_.cancel(watch->second.watchId);
        listenCount_ -= listensOf(watch->second);
        std::lock_guard<std::mutex> lock(keysMutex_);
        watchedKeys_.erase(watch->first);
        watches_.erase(watch);
    }
    routes_.erase(it);
    watchCount_ = routes_.size();
}

std::set<crypto::DhtKey> SubscriptionRouter::keysOf(const std::vector<std::string>& tokens) const {
    std::set<crypto::DhtKey> keys;
    for (const auto& token : tokens) {
        auto route = routes_.find(token);
        if (route == routes_.end()) continue;
        auto watch = watches_.find(route->second.key);
        if (watch != watches_.end() && watch->second.watching) keys.insert(route->second.key);
    }
    return keys;
}

void SubscriptionRouter::refetch(const std::set<crypto::DhtKey>& keys, PushNetwork::DoneCallback done) {
    std::vector<PushNetwork::WatchId> ids;
    for (const auto& key : keys)
        if (auto watch = watches_.find(key); watch != watches_.end() && watch->second.watching)
            ids.push_back(watch->second.watchId);
    if (ids.empty()) {
        if (done) done(true);
        return;
    }
    const auto keyDone = allDone(ids.size(), std::move(done));
    for (const auto id : ids) network_.refetch(id, keyDone);
}

void SubscriptionRouter::stop() {
    fromDht_.close();  // at once: the DHT's thread may be waiting for a strand that no longer runs
    asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->pacingTimer_.cancel();
        for (auto& [key, watch] : self->watches_)
            if (watch.watching) self->network_.cancel(watch.watchId);
        self->watches_.clear();
        {
            std::lock_guard<std::mutex> lock(self->keysMutex_);
            self->watchedKeys_.clear();
        }
        self->routes_.clear();
        self->byRecipient_.clear();
        self->watchQueue_.clear();
        self->watchCount_ = 0;
        self->listenCount_ = 0;
    });
}

// Starts at most watchesPerSecond listens a second, counted in DHT listens: an inbox is one
// per lane (a step may go over by an inbox's lanes less one). A step that started any is
// followed by the next one step later, queued keys or not: watches arriving one at a time
// (each subscription of a restarting proxy is its own call) wait for it instead of each
// starting at once.
void SubscriptionRouter::drainWatches() {
    const auto perStep = std::max<std::size_t>(1, limits_.watchesPerSecond * WATCH_PACING_STEP.count() / 1000);
    std::size_t listens = 0;
    while (listens < perStep && !watchQueue_.empty()) {
        const auto queued = watches_.find(watchQueue_.front());
        if (queued != watches_.end() && !queued->second.watching) listens += listensOf(queued->second);
        startWatch(watchQueue_.front());
        watchQueue_.pop_front();
    }
    if (listens == 0 || stopped_) {
        pacing_ = false;
        return;
    }
    pacingTimer_.expires_after(WATCH_PACING_STEP);
    pacingTimer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->drainWatches();
    });
}

void SubscriptionRouter::startWatch(const crypto::DhtKey& key) {
    auto it = watches_.find(key);
    if (it == watches_.end() || it->second.watching) return;  // unwatched while queued
    std::weak_ptr<SubscriptionRouter> weak = shared_from_this();
    const auto kind = it->second.ownToken.empty() ? KeyKind::Inbox : KeyKind::Own;
    // The DHT calls back on its node's thread, inside OpenDHT's loop: hop onto the strand,
    // within the handoff bound.
    it->second.watchId = network_.watch(key, kind, [weak, key](const crypto::Bytes& recipient, const Envelope& envelope) {
        auto self = weak.lock();
        if (!self || !self->fromDht_.acquire()) return;
        asio::post(self->strand_, [self, key, recipient, envelope] {
            self->onValue(key, recipient, envelope);
            self->fromDht_.release();
        });
    });
    it->second.watching = true;
}

void SubscriptionRouter::onValue(const crypto::DhtKey& key, const crypto::Bytes& recipient, const Envelope& envelope) {
    if (stopped_) return;
    std::string token;
    if (recipient.empty()) {
        auto watch = watches_.find(key);
        if (watch == watches_.end()) return;
        token = watch->second.ownToken;
    } else {
        auto it = byRecipient_.find(std::string(recipient.begin(), recipient.end()));
        if (it == byRecipient_.end()) return;  // another proxy's subscription in a shared inbox
        token = it->second;
    }
    auto route = routes_.find(token);
    // A recipient id put at another inbox's key is not for this subscription.
    if (route == routes_.end() || route->second.key != key) return;
    onEnvelope_(token, envelope);
}

}  // namespace dhtpush::node
