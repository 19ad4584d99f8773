#include "netns_latency_report.h"

#include <tuple>

#include "format.h"

namespace dhtpush::bench {

void netnsLatencyTable(std::ostream& md, const Json::Value& run) {
    if (!run.isObject()) return;
    md << "## Latency on a network with delay\n\n";
    if (run.isMember("skipped")) {
        md << "Skipped in this run: " << run["skipped"].asString() << ".\n\n";
        return;
    }
    const auto delay = run["one_way_delay_ms"].asUInt();
    md << "Hosts in network namespaces (bench/netns_latency.sh), joined by veth pairs to a switch that holds every\n"
       << "frame " << delay << " ms (one way) and loses " << fixed(run["udp_loss_permille"].asDouble() / 10, 1)
       << " % of the UDP datagrams (`dhtpush-delay-hub`, bench/delay_hub.h: the\nnetwork netem's delay on each "
       << "host makes, on kernels with or without netem). Each proxy, the client and the\nraw listener have a host of "
       << "their own; plain DHT nodes on five other hosts make the DHT larger than the\n8 nodes that store a key "
       << "(the layout: bench/netns_latency.sh). Same paths as\n"
       << "above; *crossings* is how many times a message crosses the switch as a rule, each crossing "
       << delay << " ms.\n\n"
       << "| path | crossings | samples | p50 | p90 | p99 | max | lost |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& [key, name, crossings, lostKey] :
         {std::tuple{"raw_put_listen_ms", "raw put→listen", "2: publisher → storing node → listener", "raw"},
          std::tuple{"dhtpush_ms", "dhtpush", "3: sender → B → A (stores the inbox) → device", "dhtpush"},
          std::tuple{"stock_proxy_ms", "stock proxy", "4: sender → B → storing node → A → device", "stock_proxy"},
          std::tuple{"dhtpush_one_proxy_ms", "dhtpush, one proxy (no DHT)", "2: sender → A → device",
                     "dhtpush_one_proxy"}}) {
        const auto& s = run[key];
        md << "| " << name << " | " << crossings << " | " << s["samples"].asUInt() << " | " << fixed(s["p50"].asDouble(), 1)
           << " | " << fixed(s["p90"].asDouble(), 1) << " | " << fixed(s["p99"].asDouble(), 1) << " | "
           << fixed(s["max"].asDouble(), 1) << " | " << run["lost"][lostKey].asUInt() << " |\n";
    }
    md << "\ndhtpush / stock: p50 " << fixed(run["ratio_p50_vs_stock"].asDouble()) << "x, p99 "
       << fixed(run["ratio_p99_vs_stock"].asDouble()) << "x; dhtpush / raw p50 " << fixed(run["ratio_p50_vs_raw"].asDouble())
       << "x. The switch forwarded " << fixed(run["switch"]["forwarded"].asDouble(), 0) << " frames and lost "
       << fixed(run["switch"]["lost"].asDouble(), 0) << " UDP datagrams.\n\n"
       << "![latency CDF with delay](performance/latency_netns_cdf.png)\n\n";
}

}  // namespace dhtpush::bench
