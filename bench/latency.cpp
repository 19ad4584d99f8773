#include "latency.h"

#include <opendht/dht_proxy_server.h>
#include <opendht/dhtrunner.h>

#include <asio/ip/tcp.hpp>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <iterator>
#include <fstream>
#include <mutex>
#include <numeric>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "acking_device.h"
#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "local_dht_network.h"
#include "proxy_fixture.h"
#include "sample_clock.h"

namespace dhtpush::bench {
namespace {

constexpr auto SAMPLE_TIMEOUT = std::chrono::seconds(5);
// Samples rotate over this many keys: where a key's storing nodes sit relative to the two
// endpoints (one of them may store it) moves a single key's latency by ±30 %.
constexpr std::size_t KEYS = 10;

std::string base64(const std::string& bytes) {
    auto s = crypto::base64urlEncode(bytes);
    for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (s.size() % 4) s += '=';
    return s;
}

// One way of getting a message from a sender to a receiver, set up once and then sampled
// in turn with the others.
class Path {
public:
    virtual ~Path() = default;
    virtual void send(long id) = 0;
    SampleClock clock;
};

// A bare runner whose socket lives in the network namespace at `netnsPath` (made on a thread
// of its own that enters it: a socket stays in the namespace it was made in), or in ours.
std::shared_ptr<dht::DhtRunner> runnerIn(const std::string& netnsPath, const std::string& bootstrap,
                                         std::uint32_t dhtNetwork, const std::string& bindAddress) {
    if (netnsPath.empty()) return test::bareRunnerJoining(bootstrap, dhtNetwork, bindAddress);
    std::shared_ptr<dht::DhtRunner> runner;
    std::exception_ptr error;
    std::thread([&] {
        try {
            const int fd = open(netnsPath.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw std::runtime_error("cannot open " + netnsPath + ": " + std::strerror(errno));
            const int entered = setns(fd, CLONE_NEWNET);
            close(fd);
            if (entered != 0) throw std::runtime_error("cannot enter " + netnsPath + ": " + std::strerror(errno));
            runner = test::bareRunnerJoining(bootstrap, dhtNetwork, bindAddress);
        } catch (...) {
            error = std::current_exception();
        }
    }).join();
    if (error) std::rethrow_exception(error);
    return runner;
}

// OpenDHT put on one runner -> listen callback on another.
class RawPath : public Path {
public:
    explicit RawPath(const LatencyNodes& nodes)
        : publisher_(test::bareRunnerJoining(nodes.bootstrap, nodes.dhtNetwork, nodes.bindAddress)),
          listener_(runnerIn(nodes.listenerNetns, nodes.bootstrap, nodes.dhtNetwork,
                             nodes.listenerNetns.empty() ? nodes.bindAddress : nodes.listenerBindAddress)) {
        for (std::size_t k = 0; k < KEYS; ++k) {
            keys_.push_back(dht::InfoHash::getRandom());
            auto token = listener_->listen(keys_.back(), [this](const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
                if (!expired)
                    for (const auto& v : values) clock.arrived(static_cast<long>(v->id) - 1);
                return true;
            });
            token.wait();
            tokens_.push_back(token.share());
        }
    }
    ~RawPath() override {
        for (std::size_t k = 0; k < KEYS; ++k) listener_->cancelListen(keys_[k], tokens_[k]);
        for (auto* r : {publisher_.get(), listener_.get()}) {
            r->shutdown({}, true);
            r->join();
        }
    }
    void send(long id) override {
        dht::Value value(dht::ValueType::USER_DATA.id, dht::Blob(32, 7), static_cast<dht::Value::Id>(id + 1));
        publisher_->put(keys_[static_cast<std::size_t>(id) % KEYS], std::move(value));
    }

private:
    std::shared_ptr<dht::DhtRunner> publisher_, listener_;
    std::vector<dht::InfoHash> keys_;
    std::vector<std::shared_future<std::size_t>> tokens_;
};

// WebPush POSTs to `endpoints` -> SSE events at the device of `account`, which acks in batches
// off the receiving thread as `dhtpush listen` does.
class OursPath : public Path {
public:
    OursPath(client::ProxyAccount account, std::vector<std::string> endpoints)
        : account_(std::move(account)), endpoints_(std::move(endpoints)) {
        options_.ttlSeconds = 60;
        device_ = std::make_unique<AckingDevice>(account_, [this](const node::DeliveredMessage& m) {
            clock.arrived(std::stol(std::string(m.envelope.body.begin(), m.envelope.body.end())));
        });
        // Each subscription's DHT listen starts paced after it is added: wait until every
        // one carries a message before sampling.
        for (std::size_t k = 0; k < endpoints_.size(); ++k) {
            const long id = -1 - static_cast<long>(k);
            clock.start(id);
            do client::sendPush(endpoints_[k], std::to_string(id), options_);
            while (!clock.wait(std::chrono::milliseconds(200)));
        }
    }
    ~OursPath() override { device_.reset(); }
    void send(long id) override { post(id); }
    // False when the proxy did not answer 201.
    bool post(long id) {
        return client::sendPush(endpoints_[static_cast<std::size_t>(id) % endpoints_.size()], std::to_string(id), options_)
            .ok();
    }

private:
    client::ProxyAccount account_;
    std::vector<std::string> endpoints_;
    client::PushOptions options_;
    std::unique_ptr<AckingDevice> device_;
};

// A device attached to `receiver` (proxy A) with KEYS subscriptions, their messages posted to
// `postTo` (proxy B, or proxy A itself).
std::unique_ptr<OursPath> attachedPath(const std::string& receiver, const std::string& postTo) {
    auto account = client::attachDevice(receiver);
    if (!account) throw std::runtime_error(account.error().detail);
    std::vector<std::string> endpoints;
    for (std::size_t k = 0; k < KEYS; ++k) {
        auto sub = client::addSubscription(*account, "");
        if (!sub) throw std::runtime_error(sub.error().detail);
        endpoints.push_back(postTo + "/wp/" + sub->token);
    }
    return std::make_unique<OursPath>(*account, std::move(endpoints));
}

// POST /key/<hash> to one OpenDHT proxy server (`sender`) -> its streaming listen on another
// (`receiver`; one listen per HTTP connection, as the stock proxy has it).
class StockPath : public Path {
public:
    StockPath(const std::string& receiver, const std::string& sender, std::size_t maxId) : sender_(sender) {
        for (std::size_t k = 0; k < KEYS; ++k) keys_.push_back(dht::InfoHash::getRandom().toString());
        for (std::size_t i = 0; i < maxId; ++i) idOfData_[base64(std::to_string(i))] = static_cast<long>(i);
        for (const auto& key : keys_)
            devices_.emplace_back([this, receiver, key] {
                std::string buffer;
                client::httpStream({"GET", receiver + "/key/" + key + "/listen", {}, {}},
                                   [&](std::string_view chunk) {
                                       buffer.append(chunk);
                                       std::size_t nl;
                                       while ((nl = buffer.find('\n')) != std::string::npos) {
                                           const auto line = buffer.substr(0, nl);
                                           buffer.erase(0, nl + 1);
                                           const auto at = line.find("\"data\":\"");
                                           if (at == std::string::npos) continue;
                                           const auto end = line.find('"', at + 8);
                                           auto it = idOfData_.find(line.substr(at + 8, end - at - 8));
                                           if (it != idOfData_.end()) clock.arrived(it->second);
                                       }
                                       return true;
                                   },
                                   stop_);
            });
    }
    ~StockPath() override {
        stop_ = true;
        for (auto& d : devices_) d.join();
    }
    void send(long id) override {
        client::httpRequest({"POST", sender_ + "/key/" + keys_[static_cast<std::size_t>(id) % KEYS],
                             {"Content-Type: application/json"},
                             R"({"type":0,"data":")" + base64(std::to_string(id)) + "\"}"});
    }

private:
    std::string sender_;
    std::vector<std::string> keys_;
    std::map<std::string, long> idOfData_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> devices_;
};

// Sequential samples send hundreds of messages a second to each of KEYS subscriptions, far
// over the default --post-rate-per-subscription (10/s): the latency path runs without it.
proxy::ProxyConfig unlimitedPerSubscription() {
    proxy::ProxyConfig config;
    config.rates.postsPerSubscription = 0;
    return config;
}

// A local run's nodes: a network on loopback, two dhtpush proxies and two stock proxy
// servers joined to it, all in this process.
class LocalNodes {
public:
    explicit LocalNodes(std::size_t nodeCount)
        : network_(nodeCount), proxyA_(network_, unlimitedPerSubscription()), proxyB_(network_, unlimitedPerSubscription()),
          stockRunnerA_(test::bareRunner(network_)), stockRunnerB_(test::bareRunner(network_)) {
        dht::ProxyServerConfig configA, configB;
        configA.address = configB.address = "127.0.0.1";
        configA.port = freeTcpPort();
        configB.port = freeTcpPort();
        stockA_ = std::make_unique<dht::DhtProxyServer>(stockRunnerA_, configA);
        stockB_ = std::make_unique<dht::DhtProxyServer>(stockRunnerB_, configB);
        nodes_.bootstrap = network_.bootstrapAddress();
        nodes_.dhtNetwork = node::dhtNetworkId(network_.networkId(), network_.inboxKeys());
        nodes_.bindAddress = "127.0.0.1";
        nodes_.receiver = proxyA_.url();
        nodes_.sender = proxyB_.url();
        nodes_.stockReceiver = "http://127.0.0.1:" + std::to_string(configA.port);
        nodes_.stockSender = "http://127.0.0.1:" + std::to_string(configB.port);
    }
    ~LocalNodes() {
        // The stock proxy's listen callbacks hold a raw pointer to the server and fire while
        // the DHT is destroyed: stop the runners before the servers go.
        for (auto* r : {stockRunnerA_.get(), stockRunnerB_.get()}) {
            r->shutdown({}, true);
            r->join();
        }
        stockA_.reset();
        stockB_.reset();
    }
    const LatencyNodes& nodes() const { return nodes_; }

private:
    test::LocalDhtNetwork network_;
    test::RunningProxy proxyA_, proxyB_;
    std::shared_ptr<dht::DhtRunner> stockRunnerA_, stockRunnerB_;
    std::unique_ptr<dht::DhtProxyServer> stockA_, stockB_;
    LatencyNodes nodes_;
};

}  // namespace

std::uint16_t freeTcpPort() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

void writeCdf(const std::string& path, const LatencyResult& result) {
    auto sorted = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    const auto raw = sorted(result.raw), ours = sorted(result.ours), stock = sorted(result.stock);
    std::ofstream out(path);
    const auto local = sorted(result.local);
    out << "# percentile raw_put_listen_ms dhtpush_ms stock_proxy_ms dhtpush_one_proxy_ms\n";
    for (int p = 0; p <= 1000; ++p) {
        const double q = p / 10.0;
        out << q << " " << percentile(raw, q) << " " << percentile(ours, q) << " " << percentile(stock, q) << " "
            << percentile(local, q) << "\n";
    }
}

// The paths run side by side and are sampled in turn: a slow spell of the machine (a 2-core
// VM here) then lands on all of them alike. A message's DHT work goes on after its device has
// it (the other storing nodes' copies and replies, ≈0.5 ms), so each sample starts once that
// has settled, and the order runs through every permutation: no path always starts inside
// the tail of the same other path. (A rotation of one fixed order did that: dhtpush always
// followed raw put→listen, whose tail is the longest behind the fastest delivery. Sampled
// alternately with raw alone, dhtpush's p50 was 0.49 ms; with stock alone, 0.40 ms.)
LatencyResult runLatency(const LatencyRun& run) {
    std::unique_ptr<LocalNodes> localNodes;
    if (!run.remote) localNodes = std::make_unique<LocalNodes>(run.nodes);
    const auto& nodes = run.remote ? *run.remote : localNodes->nodes();
    const auto name = run.remote ? "through " + nodes.bootstrap : "N=" + std::to_string(run.nodes);
    std::cerr << "latency: " << name << " setting up raw, dhtpush (two ways) and stock paths..." << std::endl;
    RawPath raw(nodes);
    const auto oursPath = attachedPath(nodes.receiver, nodes.sender);
    const auto localPath = attachedPath(nodes.receiver, nodes.receiver);
    auto& ours = *oursPath;
    auto& local = *localPath;
    StockPath stock(nodes.stockReceiver, nodes.stockSender, run.warmup + run.samples);
    LatencyResult result;
    struct Sampled {
        Path& path;
        std::vector<double>& out;
        std::size_t& lost;
    };
    Sampled paths[] = {{raw, result.raw, result.lostRaw}, {ours, result.ours, result.lostOurs},
                       {local, result.local, result.lostLocal}, {stock, result.stock, result.lostStock}};
    std::array<std::size_t, std::size(paths)> order;
    std::iota(order.begin(), order.end(), 0);
    std::cerr << "latency: " << name << " sampling..." << std::endl;
    for (std::size_t i = 0; i < run.warmup + run.samples; ++i) {
        for (const auto index : order) {
            auto& p = paths[index];
            const auto id = static_cast<long>(i);
            std::this_thread::sleep_for(run.settle);
            p.path.clock.start(id);
            p.path.send(id);
            const auto ms = p.path.clock.wait(SAMPLE_TIMEOUT);
            if (i < run.warmup) continue;
            if (ms) p.out.push_back(*ms);
            else ++p.lost;
        }
        std::next_permutation(order.begin(), order.end());  // wraps to the first after the last
    }
    return result;
}

DeliveryResult sampleDelivery(const client::ProxyAccount& account, const std::string& endpoint, std::size_t samples,
                              std::chrono::milliseconds settle) {
    OursPath path(account, {endpoint});
    DeliveryResult result;
    for (std::size_t i = 0; i < samples; ++i) {
        const auto id = static_cast<long>(i);
        std::this_thread::sleep_for(settle);
        path.clock.start(id);
        if (!path.post(id)) ++result.refused;
        else if (const auto ms = path.clock.wait(SAMPLE_TIMEOUT)) result.ms.push_back(*ms);
        else ++result.lost;
    }
    return result;
}

Json::Value latencyJson(const LatencyRun& run, const LatencyResult& r) {
    Json::Value v(Json::objectValue);
    if (run.remote) v["bootstrap"] = run.remote->bootstrap;
    else v["nodes"] = Json::UInt64(run.nodes);
    v["settle_ms"] = Json::Int64(run.settle.count());
    v["raw_put_listen_ms"] = toJson(summarize(r.raw));
    v["dhtpush_ms"] = toJson(summarize(r.ours));
    v["stock_proxy_ms"] = toJson(summarize(r.stock));
    v["dhtpush_one_proxy_ms"] = toJson(summarize(r.local));
    v["lost"]["raw"] = Json::UInt64(r.lostRaw);
    v["lost"]["dhtpush"] = Json::UInt64(r.lostOurs);
    v["lost"]["dhtpush_one_proxy"] = Json::UInt64(r.lostLocal);
    v["lost"]["stock_proxy"] = Json::UInt64(r.lostStock);
    const auto ours = summarize(r.ours), raw = summarize(r.raw), stock = summarize(r.stock);
    v["ratio_p50_vs_raw"] = raw.p50 > 0 ? ours.p50 / raw.p50 : 0.0;
    v["ratio_p50_vs_stock"] = stock.p50 > 0 ? ours.p50 / stock.p50 : 0.0;
    v["ratio_p99_vs_stock"] = stock.p99 > 0 ? ours.p99 / stock.p99 : 0.0;
    v["ratio_p50_one_proxy_vs_raw"] = raw.p50 > 0 ? summarize(r.local).p50 / raw.p50 : 0.0;
    return v;
}

}  // namespace dhtpush::bench
