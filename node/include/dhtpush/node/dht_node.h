#pragma once
// A running OpenDHT node: the PushNetwork that proxies and peers use.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/inbox_keys.h"
#include "dhtpush/node/push_network.h"
#include "dhtpush/node/storage_limits.h"

#include <asio/io_context.hpp>
#include <asio/strand.hpp>

namespace dhtpush::node {

using Strand = asio::strand<asio::io_context::executor_type>;

// The private network id that `dhtpush-node` uses unless told otherwise ("dhtp").
// 0 is OpenDHT's public network.
constexpr std::uint32_t DEFAULT_NETWORK_ID = 0x64687470;
// A network id as options take it: decimal or 0x-hex, 32 bits. Invalid otherwise.
Expected<std::uint32_t> parseNetworkId(std::string_view text);

struct DhtNodeConfig {
    std::string bindAddress{"0.0.0.0"};
    std::uint16_t port{0};                        // UDP; 0 picks a free port
    std::uint32_t networkId{DEFAULT_NETWORK_ID};
    // Where inboxes' values go in the DHT (inbox_keys.h); part of the network's DHT id.
    InboxKeyScheme inboxKeys{InboxKeyScheme::Lanes};
    std::vector<std::string> bootstrap;          // "host:port" entries
    std::string dataDir;                         // holds the node identity and directory key; empty: ephemeral ones
    std::chrono::seconds valueExpiration{std::chrono::minutes(10)};
    // What it stores as a DHT node (its `lifetime` is valueExpiration's).
    StorageLimits storage;
    // Many nodes on one IP (loopback tests, local clusters) trip OpenDHT's per-IP rate limit.
    bool unlimitedRate{false};
    // Every this often, while it knows good nodes, the node puts a small value at a random key
    // and records whether another node took it (NetworkStatus::probeOk). 0: no probes.
    std::chrono::seconds probeInterval{30};
    // How long storing nodes that know the directory's value type keep an entry; an entry's
    // own expiry (signed) says how long readers take it.
    std::chrono::seconds directoryLifetime{std::chrono::minutes(5)};
    // OpenDHT's public_stable: listens are refreshed every 5 min instead of every 30 s (the
    // storing nodes keep a listener for 10 min). A proxy holds one listen per subscription,
    // so this is most of its idle traffic and CPU.
    bool stableListens{true};
    // The io_context that runs the node, on a strand of its own. Null, and no strand: the
    // node runs an io_context of its own on one thread.
    asio::io_context* io{nullptr};
    // The strand the node runs on, and with it the io_context (`io` may stay null). A proxy
    // gives a strand of its io_context that its delivery hub runs on too: a packet, the DHT's
    // work on it and the HTTP write it leads to happen on one thread, and a listen callback
    // delivers at once instead of queueing behind the rest of OpenDHT's loop.
    std::optional<Strand> strand;
};

class DhtNode : public PushNetwork {
public:
    // Starts the node and begins bootstrapping. Fails when the port cannot be bound or
    // the identity in dataDir cannot be read or written.
    static Expected<std::unique_ptr<DhtNode>> start(const DhtNodeConfig& config);
    ~DhtNode() override;

    std::uint16_t port() const;
    std::string nodeId() const;
    // Adds a bootstrap peer ("host:port") after start.
    void bootstrap(const std::string& hostPort);
    // Blocks until the node has stopped; called by the destructor too. With an io_context
    // from the config, call it once that io_context has stopped, or from a thread that does
    // not run it.
    void shutdown();

    void publish(const crypto::DhtKey& key, const crypto::Bytes& recipient, const Envelope& envelope,
                 DoneCallback done) override;
    WatchId watch(const crypto::DhtKey& key, KeyKind kind, EnvelopeCallback callback) override;
    unsigned inboxListens() const override;
    void cancel(WatchId id) override;
    void refetch(WatchId id, DoneCallback done) override;
    NetworkStatus status() const override;
    bool connected() const override;
    std::size_t publishBacklog() const override;
    std::optional<crypto::DhtKey> nodeKey() const override;
    void announce(const ProxyRecord& record) override;
    std::optional<std::vector<ProxyRecord>> proxies() const override;

    struct Impl;

private:
    explicit DhtNode(std::unique_ptr<Impl> impl);
    void stopLoop();
    // `periodic`: and again after a while.
    static void sampleStatus(Impl& state, bool periodic);
    static void probe(Impl& state);
    static void moveSlotListens(Impl& state);
    static void pollSlotListens(Impl& state);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dhtpush::node
