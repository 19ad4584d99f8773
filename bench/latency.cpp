#include "latency.h"

#include <opendht/dht_proxy_server.h>
#include <opendht/dhtrunner.h>

#include <asio/ip/tcp.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <iostream>
#include <stdexcept>
#include <thread>

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

// A bare DhtRunner on the network: what an application embedding OpenDHT runs.
std::shared_ptr<dht::DhtRunner> bareRunner(const test::LocalDhtNetwork& network) {
    auto runner = std::make_shared<dht::DhtRunner>();
    dht::DhtRunner::Config config;
    config.dht_config.node_config.network = network.networkId();
    config.dht_config.node_config.max_req_per_sec = -1;
    config.dht_config.node_config.max_peer_req_per_sec = -1;
    config.bind4 = dht::SockAddr::resolve("127.0.0.1", "0").front();
    runner->run(config, {});
    const auto bootstrap = network.bootstrapAddress();
    runner->bootstrap("127.0.0.1", bootstrap.substr(bootstrap.rfind(':') + 1));
    if (!test::waitUntil([&] { return runner->getNodesStats(AF_INET).good_nodes > 0; }))
        throw std::runtime_error("bench DHT runner did not connect");
    return runner;
}

std::string base64(const std::string& bytes) {
    auto s = crypto::base64urlEncode(bytes);
    for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (s.size() % 4) s += '=';
    return s;
}

template <class Send>
void sample(const LatencyRun& run, SampleClock& clock, std::vector<double>& out, std::size_t& lost, Send send) {
    for (std::size_t i = 0; i < run.warmup + run.samples; ++i) {
        const auto id = static_cast<long>(i);
        clock.start(id);
        send(id);
        const auto ms = clock.wait(SAMPLE_TIMEOUT);
        if (i < run.warmup) continue;
        if (ms) out.push_back(*ms);
        else ++lost;
    }
}

void measureRaw(const test::LocalDhtNetwork& network, const LatencyRun& run, LatencyResult& result) {
    auto publisher = bareRunner(network);
    auto listener = bareRunner(network);
    const auto key = dht::InfoHash::getRandom();
    SampleClock clock;
    auto token = listener->listen(key, [&](const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
        if (!expired)
            for (const auto& v : values) clock.arrived(static_cast<long>(v->id) - 1);
        return true;
    });
    token.wait();
    sample(run, clock, result.raw, result.lostRaw, [&](long id) {
        dht::Value value(dht::ValueType::USER_DATA.id, dht::Blob(32, 7), static_cast<dht::Value::Id>(id + 1));
        publisher->put(key, std::move(value));
    });
    listener->cancelListen(key, token.share());
    publisher->shutdown({}, true);
    listener->shutdown({}, true);
    publisher->join();
    listener->join();
}

void measureOurs(const test::LocalDhtNetwork& network, const LatencyRun& run, LatencyResult& result) {
    test::RunningProxy proxyA(network), proxyB(network);
    auto account = client::attachDevice(proxyA.url());
    if (!account) throw std::runtime_error(account.error().detail);
    auto sub = client::addSubscription(*account, "");
    if (!sub) throw std::runtime_error(sub.error().detail);
    SampleClock clock;
    std::atomic<bool> stop{false};
    // Acked in batches off the receiving thread, as `dhtpush listen` does: a device that
    // never acks fills its mailbox quota and the proxy stops storing for it.
    std::mutex ackMutex;
    std::vector<std::string> toAck;
    std::thread device([&] {
        client::streamMessages(
            *account,
            [&](const node::DeliveredMessage& m) {
                clock.arrived(std::stol(std::string(m.envelope.body.begin(), m.envelope.body.end())));
                std::lock_guard<std::mutex> lock(ackMutex);
                toAck.push_back(m.envelope.idText());
                return true;
            },
            stop);
    });
    std::thread acker([&] {
        while (!stop) {
            std::vector<std::string> batch;
            {
                std::lock_guard<std::mutex> lock(ackMutex);
                batch.swap(toAck);
            }
            if (!batch.empty()) client::acknowledge(*account, batch);
            test::waitUntil([&] { return stop.load(); }, std::chrono::milliseconds(50));
        }
    });
    const auto endpoint = proxyB.url() + "/wp/" + sub->token;
    client::PushOptions options;
    options.ttlSeconds = 60;
    sample(run, clock, result.ours, result.lostOurs, [&](long id) { client::sendPush(endpoint, std::to_string(id), options); });
    stop = true;
    device.join();
    acker.join();
}

void measureStock(const test::LocalDhtNetwork& network, const LatencyRun& run, LatencyResult& result) {
    auto runnerA = bareRunner(network), runnerB = bareRunner(network);
    dht::ProxyServerConfig configA, configB;
    configA.address = configB.address = "127.0.0.1";
    configA.port = freeTcpPort();
    configB.port = freeTcpPort();
    auto serverA = std::make_unique<dht::DhtProxyServer>(runnerA, configA);
    auto serverB = std::make_unique<dht::DhtProxyServer>(runnerB, configB);
    const auto key = dht::InfoHash::getRandom().toString();
    const auto urlA = "http://127.0.0.1:" + std::to_string(configA.port);
    const auto urlB = "http://127.0.0.1:" + std::to_string(configB.port);

    std::map<std::string, long> idOfData;
    for (std::size_t i = 0; i < run.warmup + run.samples; ++i) idOfData[base64(std::to_string(i))] = static_cast<long>(i);
    SampleClock clock;
    std::atomic<bool> stop{false}, listening{false};
    std::thread device([&] {
        std::string buffer;
        client::httpStream({"GET", urlA + "/key/" + key + "/listen", {}, {}},
                           [&](std::string_view chunk) {
                               listening = true;
                               buffer.append(chunk);
                               std::size_t nl;
                               while ((nl = buffer.find('\n')) != std::string::npos) {
                                   const auto line = buffer.substr(0, nl);
                                   buffer.erase(0, nl + 1);
                                   const auto at = line.find("\"data\":\"");
                                   if (at == std::string::npos) continue;
                                   const auto end = line.find('"', at + 8);
                                   auto it = idOfData.find(line.substr(at + 8, end - at - 8));
                                   if (it != idOfData.end()) clock.arrived(it->second);
                               }
                               return true;
                           },
                           stop);
    });
    sample(run, clock, result.stock, result.lostStock, [&](long id) {
        client::httpRequest({"POST", urlB + "/key/" + key, {"Content-Type: application/json"},
                             R"({"type":0,"data":")" + base64(std::to_string(id)) + "\"}"});
    });
    stop = true;
    device.join();
    // The stock proxy's listen callbacks hold a raw pointer to the server and fire while the
    // DHT is destroyed: stop the runners before the servers go.
    for (auto* r : {runnerA.get(), runnerB.get()}) {
        r->shutdown({}, true);
        r->join();
    }
    serverA.reset();
    serverB.reset();
}

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
    out << "# percentile raw_put_listen_ms dhtpush_ms stock_proxy_ms\n";
    for (int p = 0; p <= 1000; ++p) {
        const double q = p / 10.0;
        out << q << " " << percentile(raw, q) << " " << percentile(ours, q) << " " << percentile(stock, q) << "\n";
    }
}

LatencyResult runLatency(const LatencyRun& run) {
    test::LocalDhtNetwork network(run.nodes);
    LatencyResult result;
    std::cerr << "latency: N=" << run.nodes << " raw put->listen..." << std::endl;
    measureRaw(network, run, result);
    std::cerr << "latency: N=" << run.nodes << " dhtpush POST->SSE..." << std::endl;
    measureOurs(network, run, result);
    std::cerr << "latency: N=" << run.nodes << " stock proxy POST->listen..." << std::endl;
    measureStock(network, run, result);
    return result;
}

Json::Value latencyJson(const LatencyRun& run, const LatencyResult& r) {
    Json::Value v(Json::objectValue);
    v["nodes"] = Json::UInt64(run.nodes);
    v["raw_put_listen_ms"] = toJson(summarize(r.raw));
    v["dhtpush_ms"] = toJson(summarize(r.ours));
    v["stock_proxy_ms"] = toJson(summarize(r.stock));
    v["lost"]["raw"] = Json::UInt64(r.lostRaw);
    v["lost"]["dhtpush"] = Json::UInt64(r.lostOurs);
    v["lost"]["stock_proxy"] = Json::UInt64(r.lostStock);
    const auto ours = summarize(r.ours), raw = summarize(r.raw), stock = summarize(r.stock);
    v["ratio_p50_vs_raw"] = raw.p50 > 0 ? ours.p50 / raw.p50 : 0.0;
    v["ratio_p50_vs_stock"] = stock.p50 > 0 ? ours.p50 / stock.p50 : 0.0;
    v["ratio_p99_vs_stock"] = stock.p99 > 0 ? ours.p99 / stock.p99 : 0.0;
    return v;
}

}  // namespace dhtpush::bench
