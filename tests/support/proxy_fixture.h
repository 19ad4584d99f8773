#pragma once
// A proxy as a user runs it: its own DHT node joined to a LocalDhtNetwork, the HTTP
// service on 127.0.0.1 with an OS-chosen port, both on one io_context on its own thread; and a
// device that attaches to it over real HTTP.
#include <asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/node/message_json.h"
#include "dhtpush/proxy/server.h"
#include "local_dht_network.h"
#include "temp_dir.h"

namespace dhtpush::test {

class RunningProxy {
public:
    // `storage`: what its DHT node stores (DhtNodeConfig::storage).
    RunningProxy(const LocalDhtNetwork& network, proxy::ProxyConfig config = {}, node::StorageLimits storage = {});
    ~RunningProxy();

    const std::string& url() const { return url_; }  // the base URL of endpoints
    std::string httpUrl() const;                     // the plain HTTP listener
    std::string httpsUrl() const;                    // the HTTPS listener; empty when off
    node::DhtNode& dht() { return *dht_; }

private:
    asio::io_context io_;  // runs the DHT node and the HTTP server, as dhtpush-node does
    std::unique_ptr<node::DhtNode> dht_;
    std::unique_ptr<proxy::ProxyServer> server_;
    std::thread thread_;
    std::string url_;
};

// Records what one device's event stream delivers, on a background thread.
class EventRecorder {
public:
    explicit EventRecorder(client::ProxyAccount account);
    ~EventRecorder();

    std::vector<node::DeliveredMessage> messages() const;
    // True once at least `count` messages arrived within the timeout.
    bool waitForCount(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    void stop();

private:
    mutable std::mutex mutex_;
    std::vector<node::DeliveredMessage> messages_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Push options with this TTL (and Topic).
client::PushOptions pushOptions(std::uint32_t ttlSeconds, std::string topic = {});

// A number at the top of a proxy's /health ("dht_listens", ...); 0 when unreachable.
std::uint64_t healthField(const std::string& proxyUrl, const char* name);

// A message counter of a proxy's /health ("queued", "dropped", ...); 0 when unreachable.
std::uint64_t healthCounter(const std::string& proxyUrl, const char* name);


}  // namespace dhtpush::test
