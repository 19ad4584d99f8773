#pragma once
// End-to-end latency on a local network of N nodes, four ways in one run:
//   raw    OpenDHT put on one node -> listen callback on another (the floor);
//   ours   WebPush POST to proxy B -> SSE event at a device attached to proxy A;
//   local  WebPush POST to proxy A itself -> SSE event at its device: no DHT hop, so the
//          cost of the two HTTP legs alone (the floor of any POST -> event path);
//   stock  POST /key/<hash> to one OpenDHT proxy server -> its streaming listen on another.
#include <json/json.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "stats.h"

namespace dhtpush::bench {

// The nodes the paths run through: made in this process on loopback (the default), or already
// running elsewhere (bench/netns_latency.sh: hosts in network namespaces).
struct LatencyNodes {
    std::string bootstrap;  // host:port of a DHT node
    std::uint32_t dhtNetwork{0};  // its OpenDHT network id (node::dhtNetworkId)
    std::string bindAddress{"0.0.0.0"};  // of the raw path's two runners
    // Where the raw path's listener runs when not next to its publisher: a network namespace
    // (/run/netns/NAME) and its address there. A listener on the publisher's host would take
    // the keys it stores straight from it, without a hop through the network.
    std::string listenerNetns, listenerBindAddress;
    std::string receiver, sender;  // dhtpush proxies: the device's (A), and the one messages are posted to (B)
    std::string stockReceiver, stockSender;  // stock OpenDHT proxy servers, likewise
};

struct LatencyRun {
    std::optional<LatencyNodes> remote;
    std::size_t nodes{10};  // of the local network when not remote
    std::size_t samples{500};
    std::size_t warmup{20};
    // Pause before each sample, longer than the DHT work a delivered message leaves behind.
    std::chrono::milliseconds settle{2};
};

struct LatencyResult {
    std::vector<double> raw, ours, local, stock;  // milliseconds
    std::size_t lostRaw{0}, lostOurs{0}, lostLocal{0}, lostStock{0};
};

LatencyResult runLatency(const LatencyRun& run);

// Sequential messages posted to `endpoint` (a subscription of the device of `account`), each
// timed from the POST to its event at the device: the capacity section's delivery to one of a
// million subscriptions. Each starts `settle` after the one before, as the latency runs'
// samples do: back to back they came faster than the device acks (a flush every 50 ms), and
// past the subscription's mailbox (100 unacked) the proxy answered 507.
struct DeliveryResult {
    std::vector<double> ms;
    std::size_t lost{0};     // answered 201, no event within 5 s
    std::size_t refused{0};  // not answered 201
};
DeliveryResult sampleDelivery(const client::ProxyAccount& account, const std::string& endpoint, std::size_t samples,
                              std::chrono::milliseconds settle = LatencyRun{}.settle);
Json::Value latencyJson(const LatencyRun& run, const LatencyResult& result);
// Columns: percentile, raw, dhtpush, stock, dhtpush one proxy (ms), for a CDF plot.
void writeCdf(const std::string& path, const LatencyResult& result);
std::uint16_t freeTcpPort();

}  // namespace dhtpush::bench
