#pragma once
// The proxy's HTTP service: the device API, the WebPush endpoint and health, on a
// restinio server that runs on the caller's io_context. One thread must run that io_context:
// the server uses restinio's single-thread traits (no strand per connection).
#include <asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "dhtpush/expected.h"
#include "dhtpush/node/dht_node.h"
#include "dhtpush/node/push_network.h"
#include "dhtpush/proxy/https_config.h"

namespace dhtpush::proxy {

// Per-source request rates (request_limits.h, docs/security.md); 0 turns one off.
struct RequestRates {
    double attachesPerMinute{10};            // per source address
    double subscribesPerMinute{60};          // per source address
    double postsPerSecond{1000};             // per source address
    double postsPerSubscription{10};         // per second, per token
    double postsPerVapidKey{1000};           // per second, per verified application server key
    double newPublishKeysPerHour{1000};      // per source: its share of --max-publish-keys
    // Per device: each opening makes the node read and send the device's whole backlog, so a
    // client stuck in a reconnect loop (or many devices of one attacker) must not take the
    // node's thread from everyone else. Clients reconnect after seconds (SSE retry: 3000).
    double streamOpensPerMinute{12};
};

struct ProxyConfig {
    std::string httpAddress{"127.0.0.1"};
    std::uint16_t httpPort{0};            // 0 picks a free port; read it back with port()
    HttpsConfig https;                    // off unless a certificate and key are given
    // Base of endpoints handed out; default the HTTPS listener's https://address:port when
    // HTTPS is on, else http://address:port.
    std::string publicUrl;
    std::string dataDir;                  // proxy.sqlite lives here; empty: in memory
    std::uint32_t maxTtlSeconds{7 * 24 * 3600};
    // How far ahead of this node's clock an envelope from the DHT may say it was created
    // (envelope_time.h): further is a forgery, refused.
    std::chrono::seconds maxClockSkew{60};
    // Mailbox quotas: a message that would pass one is refused (507 to a sender posting here).
    std::size_t mailboxMessages{1000};             // per device
    std::size_t mailboxBytes{4 * 1024 * 1024};     // per device
    std::size_t subscriptionMessages{100};
    std::size_t subscriptionBytes{256 * 1024};
    std::size_t maxSubscriptionsPerDevice{1000};
    // Node-wide caps: past them a request gets 507 + Retry-After (this proxy is full; a device
    // can attach elsewhere). 0: no cap.
    std::size_t maxDevices{100000};
    std::size_t maxSubscriptions{1000000};
    // DHT listens for subscriptions outside the proxy's inboxes (a token a device brought).
    std::size_t maxListens{10000};
    // When set, POST /v1/devices needs `Authorization: Bearer <this>` (a closed proxy).
    std::string inviteSecret;
    RequestRates rates;
    std::size_t maxStreamsPerDevice{4};   // event streams a device holds; a new one ends the oldest
    std::size_t maxSeenIds{65536};        // message ids kept in memory against DHT copies
    // Messages from the DHT that full mailboxes refused, held in memory until their devices
    // ack (HeldMessages); each device holds at most a quarter of it.
    std::size_t heldBytes{32 * 1024 * 1024};
    // New subscriptions get version-2 tokens in one of this many inboxes (DHT keys) of the
    // proxy, at random: the proxy holds one DHT listen per inbox in use instead of one per
    // subscription, and the inboxes spread its traffic over that many sets of storing nodes.
    // 0: version-1 tokens (a DHT key per subscription).
    std::size_t inboxes{16};
    std::size_t maxConnections{10000};   // per listener
    // Open connections from one address (an IPv6 /64 counts as one) over both listeners;
    // 127.0.0.1 and ::1 (a reverse proxy on the same machine) are not counted. 0: no limit.
    std::size_t connectionsPerAddress{128};
    // A TLS handshake must finish within this; then the connection is closed.
    std::chrono::milliseconds tlsHandshakeTimeout{10000};
    // Puts not yet finished by the DHT above which a POST gets 503 + Retry-After: accepting
    // faster than the DHT publishes would only queue without bound.
    std::size_t maxPublishBacklog{2048};
    // Distinct DHT keys a POST may put to within OpenDHT's search lifetime (about an hour);
    // past it a POST to a new key gets 503 + Retry-After (publish_key_budget.h). 0: no limit.
    std::size_t maxPublishKeys{10000};
    // A POST is answered once the DHT's storing nodes hold the message, or after this long
    // (a put waiting on an unresponsive storing node can take seconds), whichever is first.
    std::chrono::milliseconds maxPublishWait{5000};
    std::chrono::seconds keepAlive{15};
    std::chrono::seconds valueExpiration{600};
    // The proxy directory (docs/protocol.md): every this often the node puts its entry (base
    // URL, load) signed in the DHT, held for 3 intervals; withdrawn at a clean stop. 0: the
    // node is not offered to devices looking for proxies (nor is it with an invite secret).
    std::chrono::seconds announceInterval{60};
    // A node started without bootstrap peers is a network of its own: healthy without peers.
    bool standalone{false};
};

class ProxyServer {
public:
    // Opens the database, re-watches stored subscriptions and binds the HTTP port (and the
    // HTTPS one). Fails on an unusable data folder, a port that cannot be bound, or an
    // unusable certificate or key.
    // `network` calls back on its own thread (a DhtNode with no io_context of ours): the
    // delivery hub hops onto its strand of `io`, so a busy DHT never holds up HTTP.
    static Expected<std::unique_ptr<ProxyServer>> start(asio::io_context& io, node::PushNetwork& network,
                                                        ProxyConfig config);
    // Destroy it once its io_context has stopped: the connections clients keep open, and the
    // restinio servers they point into, last until the io_context is destroyed.
    ~ProxyServer();

    std::uint16_t port() const;
    std::uint16_t httpsPort() const;  // 0 when HTTPS is off
    std::string baseUrl() const;
    // Ends the event streams, cancels the DHT watches and closes the listening socket.
    // Asynchronous: the work runs on the io_context, which the caller keeps running a moment.
    void stop();
    // HTTPS: the certificate and key files read again for new connections (SIGHUP); open
    // streams go on. An error keeps the served pair. Nothing to do without HTTPS.
    Status reloadCertificate();

    struct Impl;

private:
    explicit ProxyServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dhtpush::proxy
