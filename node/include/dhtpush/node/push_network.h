#pragma once
// How the HTTP layer reaches the DHT: the few calls it needs, so that unit tests can
// drive a fake and the routing can change behind it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/crypto/token.h"
#include "dhtpush/node/envelope.h"
#include "dhtpush/node/proxy_record.h"

namespace dhtpush::node {

struct NetworkStatus {
    bool running{false};
    bool connected{false};    // at least one good DHT node known
    unsigned goodNodes{0};
    unsigned dubiousNodes{0};
    std::string nodeId;
    // The id of the key the node signs with (hex): what its proxy directory entry is signed
    // by, so a reader can tell an entry that names this node's URL from a forged one.
    std::string identity;
    std::uint64_t messagesPublished{0};  // envelopes handed to the DHT
    std::uint64_t valuesPut{0};          // DHT values they went out in (an inbox value holds several)
    // Of those, values no storing node took (unreachable nodes, or a key full of values).
    std::uint64_t valuesFailed{0};
    // What this node holds for others (and itself) as a storing node, all value types.
    std::uint64_t storedBytes{0};
    std::uint64_t storedValues{0};
    // Push values (ours or other nodes') this node did not store: no room in its budget.
    std::uint64_t storageRefused{0};
    // DHT datagrams the kernel dropped for this node: it could not read its socket fast
    // enough. Listen notifications among them are lost (OpenDHT does not resend them).
    std::uint64_t receiveDrops{0};
    // The self-probe (DhtNodeConfig::probeInterval): a small value put at a random key every
    // interval, which another node must acknowledge. What a node cut off from the network
    // cannot fake by answering HTTP.
    bool probing{false};             // probes are on and the node has peers to probe through
    bool probeOk{false};             // another node took a probe within the last 3 intervals
    std::int64_t lastProbeOkUnixMs{0};  // 0: none yet
    std::uint64_t probesSent{0};
    std::uint64_t probesFailed{0};
    // The proxy directory (proxy_record.h).
    std::int64_t directoryAnnouncedUnixMs{0};  // the issue time of the last entry a node took; 0: none
    std::uint64_t directoryAnnounceFailures{0};
    std::uint64_t directoryEntries{0};         // current entries this node knows of
    std::uint64_t directoryRefused{0};         // directory values that failed a check
};

// What a watched key is: a version-1 token's key of its own, or an inbox's key, whose values
// are spread over its lanes (the node's inbox key scheme, inbox_keys.h).
enum class KeyKind { Own, Inbox };

class PushNetwork {
public:
    using WatchId = std::uint64_t;
    // Runs on the DHT node's strand: hop to your executor before touching your state.
    // `recipient` is empty for a key of its own (version-1 token), else the recipient id
    // inside an inbox (version 2).
    using EnvelopeCallback = std::function<void(const crypto::Bytes& recipient, const Envelope&)>;
    using DoneCallback = std::function<void(bool ok)>;

    virtual ~PushNetwork() = default;
    // Stores the envelope at the key (a token's dhtKey(), for its recipient()); `done` (DHT
    // node's strand) says whether any node took it. Envelopes for one inbox may share a value,
    // which goes to one of the inbox's lanes.
    virtual void publish(const crypto::DhtKey& key, const crypto::Bytes& recipient, const Envelope& envelope,
                         DoneCallback done) = 0;
    // Calls back for every valid envelope stored at the key (at each of its lanes for an
    // inbox) now and later; invalid values from hostile peers are dropped before the callback.
    virtual WatchId watch(const crypto::DhtKey& key, KeyKind kind, EnvelopeCallback callback) = 0;
    // DHT listens a watch of an inbox takes in the node's scheme (inbox_keys.h): one a lane,
    // or three a lane under `slotted`.
    virtual unsigned inboxListens() const = 0;
    // Unknown ids are ignored. After it returns no new callback starts for this watch.
    virtual void cancel(WatchId id) = 0;
    // Hands over again, through the watch's checks and callback, what its keys hold now (for
    // a watcher that could not keep what it was handed: a full mailbox). Every value, also
    // those handed over before: the callback drops what it has. `done` (DHT node's strand)
    // says whether every get was answered; true at once for an unknown id.
    virtual void refetch(WatchId id, DoneCallback done) = 0;
    // Cheap: a sample at most a second old, never a wait on a busy DHT.
    virtual NetworkStatus status() const = 0;
    // Cheap (no lock on the DHT): whether at least one good node is known, for hot paths.
    virtual bool connected() const = 0;
    // Puts handed to the DHT and not finished yet: what a node must bound under load.
    virtual std::size_t publishBacklog() const = 0;
    // This node's DHT id, when it is a DHT node: a proxy places its inboxes next to it.
    virtual std::optional<crypto::DhtKey> nodeKey() const { return std::nullopt; }
    // The proxy directory: puts this node's entry, signed with its identity (its node id and
    // signature are the node's own), replacing the last one. Nothing without a DHT.
    virtual void announce(const ProxyRecord& /*record*/) {}
    // The current entries the node found, checked (signature, form, times), best first.
    // nullopt while the node is still reading the directory (from its first call on).
    virtual std::optional<std::vector<ProxyRecord>> proxies() const { return std::vector<ProxyRecord>{}; }
};

}  // namespace dhtpush::node
