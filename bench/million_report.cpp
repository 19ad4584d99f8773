#include "million_report.h"

#include <algorithm>

#include "format.h"

namespace dhtpush::bench {

void millionTable(std::ostream& md, const Json::Value& run) {
    if (!run.isObject()) return;
    const double subscriptions = run["subscriptions"].asDouble();
    const auto& delivery = run["delivery"]["delivery_ms"];
    md << "## A proxy holding " << fixed(subscriptions, 0) << " subscriptions\n\n"
       << "Written into a proxy's database (`dhtpush-bench seed`, bench/seed_store.h: over HTTP a million take\n"
       << "8 minutes), spread over " << run["devices"].asUInt() << " devices and the 16 inboxes; then a proxy "
       << "started on it, as after a restart, on the\nsame 10-node network. *Serving*: from its start to `/health` "
       << "answering; *watched*: to `/health` counting every\nsubscription watched. Then messages posted one at a time "
       << "to one of them at the proxy itself, each timed to\nits event at the device (issue 14: p99 under 10 ms).\n\n"
       << "| subscriptions | seeded in s | serving after s | all watched after s | RSS MiB | RSS bytes per subscription | "
          "idle CPU % | UDP datagrams/s | delivery p50 ms | p99 ms | lost | refused |\n"
       << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
       << "| " << fixed(subscriptions, 0) << " | " << fixed(run["seed_seconds"].asDouble(), 1) << " | "
       << fixed(run["serving_seconds"].asDouble(), 2) << " | " << fixed(run["watched_seconds"].asDouble(), 2) << " | "
       << fixed(run["rss_kib"].asDouble() / 1024, 1) << " | "
       << fixed(subscriptions > 0 ? run["rss_kib"].asDouble() * 1024 / subscriptions : 0, 0) << " | "
       << fixed(run["cpu_percent"].asDouble(), 2) << " | "
       // Below the network's own traffic measured earlier: nothing the proxy sent shows.
       << fixed(std::max(0.0, run["udp_out_per_s"].asDouble() - run["udp_baseline_per_s"].asDouble()), 0) << " | "
       << fixed(delivery["p50"].asDouble(), 2) << " | " << fixed(delivery["p99"].asDouble(), 2) << " | "
       << run["delivery"]["lost"].asUInt() << " | " << run["delivery"]["refused"].asUInt() << " |\n\n";
}

}  // namespace dhtpush::bench
