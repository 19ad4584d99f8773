#include "proxy_fixture.h"

#include <optional>
#include <stdexcept>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/node/json.h"

namespace dhtpush::test {

RunningProxy::RunningProxy(const LocalDhtNetwork& network, proxy::ProxyConfig config, node::StorageLimits storage) {
    auto dhtConfig = network.joinConfig();
    dhtConfig.storage = storage;
    // The DHT node on a thread of its own, as in dhtpush-node.
    dhtConfig.dataDir = config.dataDir;  // the node identity beside the database, as in dhtpush-node
    auto dht = node::DhtNode::start(dhtConfig);
    if (!dht) throw std::runtime_error("cannot start a DHT node: " + dht.error().detail);
    dht_ = std::move(*dht);
    config.httpAddress = "127.0.0.1";
    config.httpPort = 0;
    auto server = proxy::ProxyServer::start(io_, *dht_, std::move(config));
    if (!server) throw std::runtime_error("cannot start the proxy: " + server.error().detail);
    server_ = std::move(*server);
    url_ = server_->baseUrl();
    thread_ = std::thread([this] { io_.run(); });
    if (!waitUntil([this] { return dht_->connected(); })) {
        io_.stop();
        thread_.join();
        throw std::runtime_error("the proxy's DHT node did not connect");
    }
}

std::string RunningProxy::httpUrl() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

std::string RunningProxy::httpsUrl() const {
    return server_->httpsPort() ? "https://127.0.0.1:" + std::to_string(server_->httpsPort()) : std::string();
}

RunningProxy::~RunningProxy() {
    server_->stop();
    io_.stop();
    thread_.join();
    server_.reset();
    dht_->shutdown();
}

EventRecorder::EventRecorder(client::ProxyAccount account) {
    thread_ = std::thread([this, account = std::move(account)] {
        while (!stop_) {
            client::streamMessages(account,
                                   [this](const node::DeliveredMessage& m) {
                                       std::lock_guard<std::mutex> lock(mutex_);
                                       messages_.push_back(m);
                                       return true;
                                   },
                                   stop_);
            // Reconnect pause; ends early when the recorder stops.
            if (!stop_) waitUntil([this] { return stop_.load(); }, std::chrono::milliseconds(100));
        }
    });
}

EventRecorder::~EventRecorder() { stop(); }

void EventRecorder::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

std::vector<node::DeliveredMessage> EventRecorder::messages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
}

bool EventRecorder::waitForCount(std::size_t count, std::chrono::milliseconds timeout) const {
    return waitUntil(
        [&] {
            std::lock_guard<std::mutex> lock(mutex_);
            return messages_.size() >= count;
        },
        timeout);
}

client::PushOptions pushOptions(std::uint32_t ttlSeconds, std::string topic) {
    client::PushOptions options;
    options.ttlSeconds = ttlSeconds;
    options.topic = std::move(topic);
    return options;
}

namespace {

std::optional<Json::Value> health(const std::string& proxyUrl) {
    auto response = client::httpRequest({"GET", proxyUrl + "/health", {}, {}});
    if (!response) return std::nullopt;
    auto json = node::parseJson(response->body);
    if (!json) return std::nullopt;
    return *json;
}

}  // namespace

std::uint64_t healthField(const std::string& proxyUrl, const char* name) {
    const auto json = health(proxyUrl);
    return json ? (*json)[name].asUInt64() : 0;
}

std::uint64_t healthCounter(const std::string& proxyUrl, const char* name) {
    const auto json = health(proxyUrl);
    return json ? (*json)["messages"][name].asUInt64() : 0;
}


}  // namespace dhtpush::test
