#pragma once
// An in-memory PushNetwork for unit tests of one module (the delivery hub): what is published
// reaches every watch of its key at once, and a test plays a DHT peer with storeFromPeer().
// Callbacks run on the caller's thread, as OpenDHT's run on its own: the code under test must
// hop to its executor either way. Never the proof that a feature works over a real DHT.
#include <atomic>
#include <map>
#include <mutex>
#include <vector>

#include "dhtpush/node/push_network.h"

namespace dhtpush::test {

class FakePushNetwork : public node::PushNetwork {
public:
    void publish(const crypto::DhtKey& key, const crypto::Bytes& recipient, const node::Envelope& envelope,
                 DoneCallback done) override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++published_;
        }
        storeFromPeer(key, recipient, envelope);
        if (done) done(true);
    }
    WatchId watch(const crypto::DhtKey& key, node::KeyKind, EnvelopeCallback callback) override {
        std::lock_guard<std::mutex> lock(mutex_);
        watches_[++lastId_] = Watch{key, std::move(callback)};
        return lastId_;
    }
    unsigned inboxListens() const override { return 16; }
    // Every value stored at the watch's key so far, handed over again (on the caller's thread:
    // fine for a test's few values, which the hub's handoff bound never holds up).
    void refetch(WatchId id, DoneCallback done) override {
        std::vector<Stored> again;
        EnvelopeCallback callback;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = watches_.find(id);
            if (it == watches_.end()) {
                if (done) done(true);
                return;
            }
            callback = it->second.callback;
            for (const auto& s : stored_)
                if (s.key == it->second.key) again.push_back(s);
            ++refetches_;
        }
        for (const auto& s : again) callback(s.recipient, s.envelope);
        if (done) done(true);
    }
    std::size_t refetches() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return refetches_;
    }
    void cancel(WatchId id) override {
        std::lock_guard<std::mutex> lock(mutex_);
        watches_.erase(id);
    }
    node::NetworkStatus status() const override {
        node::NetworkStatus s;
        s.running = true;
        s.connected = connected_;
        std::lock_guard<std::mutex> lock(mutex_);
        s.messagesPublished = s.valuesPut = published_;
        return s;
    }
    bool connected() const override { return connected_; }
    std::size_t publishBacklog() const override { return backlog_; }
    // What the two above answer, as a test sets them.
    std::atomic<bool> connected_{true};
    std::atomic<std::size_t> backlog_{0};

    // A value a DHT peer stored at `key` (for `recipient` inside an inbox; empty: a key of its
    // own): every watch of the key hears it. How many did.
    std::size_t storeFromPeer(const crypto::DhtKey& key, const crypto::Bytes& recipient, const node::Envelope& envelope) {
        std::vector<EnvelopeCallback> listeners;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stored_.push_back({key, recipient, envelope});
            for (const auto& [id, w] : watches_)
                if (w.key == key) listeners.push_back(w.callback);
        }
        for (const auto& callback : listeners) callback(recipient, envelope);
        return listeners.size();
    }
    std::size_t watchCount(const crypto::DhtKey& key) const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::size_t n = 0;
        for (const auto& [id, w] : watches_) n += w.key == key ? 1 : 0;
        return n;
    }

private:
    struct Watch {
        crypto::DhtKey key;
        EnvelopeCallback callback;
    };
    struct Stored {
        crypto::DhtKey key;
        crypto::Bytes recipient;
        node::Envelope envelope;
    };
    mutable std::mutex mutex_;
    std::map<WatchId, Watch> watches_;
    std::vector<Stored> stored_;  // what the keys hold, for refetch
    std::size_t refetches_{0};
    WatchId lastId_{0};
    std::uint64_t published_{0};
};

}  // namespace dhtpush::test
