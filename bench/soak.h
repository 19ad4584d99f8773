#pragma once
// Sustained load (issue 19, docs/performance.md "Soak"): a device on node A with 20
// subscriptions; 4 senders POST 200-byte messages (TTL 600) to node B round robin at a fixed
// rate over kept-alive connections, for minutes. Every bucket of time reports the rate
// answered, 201s against deliveries, delivery latency, B's /health latency (probed every
// 100 ms) and the RSS and open files of both nodes; at the end, messages answered 201 and
// never delivered (lost) and delivered twice (duplicates).
// `dhtpush`: dhtpush-node processes (WebPush POST at B, event stream at A, acked).
// `stock`:   stock `dhtnode --proxyserver` processes (POST /key/<key> at B, streaming
//            listens at A; `/` is probed as its health).
#include <json/json.h>

#include <chrono>
#include <string>
#include <vector>

namespace dhtpush::bench {

struct SoakRun {
    std::string kind{"dhtpush"};
    std::string label;  // what the report calls the run; empty: its kind
    std::string receiverUrl;  // node A
    std::string senderUrl;    // node B
    int receiverPid{0}, senderPid{0};
    double rate{1000};
    std::chrono::seconds duration{std::chrono::minutes(2)};
    std::chrono::seconds bucket{std::chrono::minutes(1)};
    // The device away: its stream closed `awayFor` from `awayAfter` into the run (dhtpush only;
    // 0: always there). What its full mailbox refused meanwhile must come from the DHT again.
    std::chrono::seconds awayAfter{0}, awayFor{0};
    // How long delivery may finish after the senders stopped, before the rest counts as lost.
    std::chrono::seconds drain{60};
};

Json::Value runSoak(const SoakRun& run);


}  // namespace dhtpush::bench
