#pragma once
// The proxy directory as one node sees it: the entries found at the directory key (checked,
// current, the newest per signer, bounded) and this node's own entry, signed with its
// directory key. Runs inside DhtNode, on its runner.
#include <opendht/dhtrunner.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dhtpush/node/proxy_record.h"
#include "directory_view.h"

namespace dhtpush::node {

class ProxyDirectory {
public:
    ProxyDirectory(dht::DhtRunner& runner, std::function<void()> kick, crypto::VapidKeys signingKey);
    // Hex of SHA-256 of the signing key's public point: what /health names as dht.identity.
    const std::string& identity() const { return identity_; }
    // Listens at the directory key (and reads what it holds once); true the first time only.
    bool start();
    // Whether the first read of the directory key has ended.
    bool ready() const { return *ready_; }
    // Puts this node's entry (the node id and times as given); readers take it over its last.
    void announce(const ProxyRecord& record, const std::string& nodeId);
    // The current entries, best first (fewest devices for their capacity).
    std::vector<ProxyRecord> records(std::int64_t nowUnixMs) const;
    std::size_t count(std::int64_t nowUnixMs) const;
    std::int64_t lastAnnouncedUnixMs() const { return *lastAnnounced_; }
    std::uint64_t announceFailures() const { return *announceFailures_; }
    std::uint64_t refused() const { return refused_; }

private:
    void take(const std::vector<std::shared_ptr<dht::Value>>& values);

    dht::DhtRunner& runner_;
    std::function<void()> kick_;
    crypto::VapidKeys signingKey_;
    std::string identity_;
    mutable std::mutex mutex_;
    DirectoryView view_;                             // guarded by mutex_
    std::atomic<std::uint64_t> refused_{0};          // values that failed a check
    std::atomic<bool> started_{false};
    std::shared_ptr<std::atomic<bool>> ready_ = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<std::int64_t>> lastAnnounced_ = std::make_shared<std::atomic<std::int64_t>>(0);
    std::shared_ptr<std::atomic<std::uint64_t>> announceFailures_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace dhtpush::node
