#include "report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <tuple>

#include "dhtpush/node/json.h"
#include "format.h"
#include "million_report.h"
#include "netns_latency_report.h"
#include "sections_report.h"
#include "soak_report.h"

namespace dhtpush::bench {
namespace {

namespace fs = std::filesystem;

Json::Value readJson(const fs::path& path) {
    std::ifstream in(path);
    if (!in) return Json::Value();
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = node::parseJson(text.str());
    return parsed ? *parsed : Json::Value();
}

Json::Value readJsonLines(const fs::path& path) {
    Json::Value out(Json::arrayValue);
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (auto parsed = node::parseJson(line); parsed && parsed->isObject()) out.append(*parsed);
    return out;
}

void latencyTable(std::ostream& md, const Json::Value& latency) {
    md << "## End-to-end latency\n\n"
       << "Sequential messages on a loopback network of N OpenDHT nodes; milliseconds from the send call to\n"
       << "the event at the receiver. *raw*: `put` on one node, `listen` callback on another. *dhtpush*:\n"
       << "WebPush POST to proxy B, SSE event at a device on proxy A. *stock*: OpenDHT's proxy server\n"
       << "(the one `dhtnode --proxyserver` runs), `POST /key/<hash>` to one, streaming listen on another.\n"
       << "*dhtpush, one proxy*: the POST goes to the device's own proxy, which delivers it without the DHT:\n"
       << "the two HTTP legs alone, the floor of any path from a WebPush POST to an event.\n\n"
       << "| N | path | samples | p50 | p90 | p99 | max | lost |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& run : latency) {
        const auto nodes = run["nodes"].asUInt();
        for (const auto& [key, name, lostKey] :
             {std::tuple{"raw_put_listen_ms", "raw put→listen", "raw"}, std::tuple{"dhtpush_ms", "dhtpush", "dhtpush"},
              std::tuple{"stock_proxy_ms", "stock proxy", "stock_proxy"},
              std::tuple{"dhtpush_one_proxy_ms", "dhtpush, one proxy (no DHT)", "dhtpush_one_proxy"}}) {
            const auto& s = run[key];
            if (!s.isObject()) continue;
            md << "| " << nodes << " | " << name << " | " << s["samples"].asUInt() << " | " << fixed(s["p50"].asDouble(), 3)
               << " | " << fixed(s["p90"].asDouble(), 3) << " | " << fixed(s["p99"].asDouble(), 3) << " | "
               << fixed(s["max"].asDouble(), 3) << " | " << run["lost"][lostKey].asUInt() << " |\n";
        }
    }
    md << "\n| N | dhtpush p50 / raw p50 (target ≤ 1.25x) | dhtpush p50 / stock p50 (target < 1x) | dhtpush p99 / stock p99 | one proxy p50 / raw p50 |\n"
       << "| --- | --- | --- | --- | --- |\n";
    for (const auto& run : latency)
        md << "| " << run["nodes"].asUInt() << " | " << fixed(run["ratio_p50_vs_raw"].asDouble()) << "x | "
           << fixed(run["ratio_p50_vs_stock"].asDouble()) << "x | " << fixed(run["ratio_p99_vs_stock"].asDouble())
           << "x | " << fixed(run["ratio_p50_one_proxy_vs_raw"].asDouble()) << "x |\n";
    md << "\n![latency CDF](performance/latency_cdf.png)\n\n";
}

void capacityTable(std::ostream& md, const Json::Value& capacity) {
    md << "## Proxy capacity\n\n"
       << "One proxy process on a 10-node loopback network. RSS from /proc; CPU of the proxy process over an\n"
       << "idle window after setup; UDP datagrams/s sent on the machine during that window, minus the same\n"
       << "window measured for the network before the proxy's load (so: the traffic its listens cause).\n"
       << "For the stock proxy a subscription is one streaming listen, which is one HTTP connection.\n\n"
       << "| proxy | subscriptions | devices (connections) | RSS base MiB | KiB per connection | KiB per subscription | RSS total MiB | idle CPU % | UDP datagrams/s |\n"
       << "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& c : capacity) {
        if (c.isMember("skipped")) {
            md << "| " << c["kind"].asString() << " | " << c["subscriptions"].asUInt() << " | not run: "
               << c["skipped"].asString() << " | | | | | | |\n";
            continue;
        }
        const double base = c["rss_base_kib"].asDouble(), withDevices = c["rss_devices_kib"].asDouble(),
                     total = c["rss_total_kib"].asDouble();
        const bool stock = c["kind"].asString() == "stock";
        const double devices = c["devices"].asDouble();
        // What the proxy really holds: for the stock proxy the listens whose connection was
        // accepted (it refuses some at 50k).
        double subs = c["subscriptions"].asDouble();
        if (stock)
            for (const auto& step : c["setup"])
                if (step["command"].asString() == "listeners") subs = step["streams_established"].asDouble();
        md << "| " << c["kind"].asString() << " | " << c["subscriptions"].asUInt()
           << (stock && subs < c["subscriptions"].asDouble() ? " (" + fixed(subs, 0) + " held)" : std::string()) << " | "
           << c["devices"].asUInt()
           << " | " << fixed(base / 1024, 1) << " | "
           << (stock || devices == 0 ? std::string("—") : fixed((withDevices - base) / devices, 1)) << " | "
           << (subs > 0 ? fixed((total - (stock ? base : withDevices)) / subs, 1) : std::string("—")) << " | "
           << fixed(total / 1024, 1) << " | " << fixed(c["cpu_percent"].asDouble(), 1) << " | "
           // Below the network's own traffic measured earlier: nothing the proxy sent shows.
           << fixed(std::max(0.0, c["udp_out_per_s"].asDouble() - c["udp_baseline_per_s"].asDouble()), 0) << " |\n";
    }
    md << "\n![memory vs subscriptions](performance/memory.png)\n\n";
}

// capacity-<kind>.dat: subscriptions really held, RSS MiB (for the memory plot).
void writeCapacityPlotData(const fs::path& dir, const Json::Value& capacity) {
    std::ofstream ours(dir / "capacity-dhtpush.dat"), stock(dir / "capacity-stock.dat");
    for (const auto& c : capacity) {
        if (c.isMember("skipped")) continue;
        const bool isStock = c["kind"].asString() == "stock";
        double held = c["subscriptions"].asDouble();
        for (const auto& step : c["setup"])
            if (step["command"].asString() == "listeners") held = step["streams_established"].asDouble();
        (isStock ? stock : ours) << held << " " << c["rss_total_kib"].asDouble() / 1024 << "\n";
    }
}

// Ingress runs: one per kind and wrk connection count, as "ingress-<kind>-c<connections>.jsonl",
// a line per wrk window in a row on the same node. A run's figures are its last window's (the
// load as it goes on); `first` is its first window (a fresh network).
Json::Value readIngress(const fs::path& dir) {
    Json::Value runs(Json::arrayValue);
    for (const char* kind : {"dhtpush", "dhtpush-v1", "stock"})
        for (const int connections : {32, 256}) {
            const auto windows =
                readJsonLines(dir / ("ingress-" + std::string(kind) + "-c" + std::to_string(connections) + ".jsonl"));
            if (windows.empty()) continue;
            auto run = windows[windows.size() - 1];
            run["kind"] = kind;
            run["connections"] = connections;
            run["first"] = windows[0];
            run["windows"] = windows;
            runs.append(run);
        }
    return runs;
}

// The most a node accepted per second over the connection counts tried, in the runs' last
// windows, or in their first with `first`.
double bestRate(const Json::Value& runs, const std::string& kind, bool first = false) {
    double best = 0;
    for (const auto& r : runs)
        if (r["kind"].asString() == kind)
            best = std::max(best, (first ? r["first"] : r)["accepted_per_second"].asDouble());
    return best;
}

void ingressTable(std::ostream& md, const Json::Value& ingress) {
    const auto& runs = ingress["runs"];
    if (runs.empty()) return;
    const auto windows = runs[0]["windows"].size();
    const auto seconds = runs[0]["seconds"].asDouble();
    md << "## Ingress throughput\n\n"
       << "wrk, 1 thread, 32 and 256 connections, 256-byte messages, against one node of a 10-node network\n"
       << "(the node process is the same one measured above), rotating over 2,000 endpoints: for dhtpush the\n"
       << "endpoints of one proxy's subscriptions (inbox tokens in its 16 inboxes, what a proxy hands out)\n"
       << "and, for comparison, version-1 tokens with a DHT key each; for the stock proxy 2,000 keys.\n"
       << "Each run has a fresh network and node and " << windows << " windows of " << fixed(seconds, 0)
       << " s in a row: *first window* is the\nfresh network's rate; the other columns are the last window's, "
       << "after the values of the earlier\nwindows piled up in the DHT.\n\n"
       << "| node | connections | first window accepted/s | answered/s | accepted (2xx)/s | last / first | p50 ms | p99 ms | refused (503 busy) |\n"
       << "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    const std::map<std::string, std::string> names{{"dhtpush", "dhtpush POST /wp/<inbox token>"},
                                                   {"dhtpush-v1", "dhtpush POST /wp/<version-1 token>"},
                                                   {"stock", "stock POST /key/<hash>"}};
    for (const auto& r : runs)
        md << "| " << names.at(r["kind"].asString()) << " | " << r["connections"].asInt() << " | "
           << fixed(r["first"]["accepted_per_second"].asDouble(), 0) << " | "
           << fixed(r["requests_per_second"].asDouble(), 0) << " | " << fixed(r["accepted_per_second"].asDouble(), 0)
           << " | " << ratio(r["accepted_per_second"].asDouble(), r["first"]["accepted_per_second"].asDouble())
           << " | " << fixed(r["latency_ms"]["p50"].asDouble(), 3) << " | " << fixed(r["latency_ms"]["p99"].asDouble(), 3)
           << " | " << r["non_2xx"].asUInt() << " |\n";
    md << "\nMost accepted per second in the last window, dhtpush / stock: "
       << ratio(bestRate(runs, "dhtpush"), bestRate(runs, "stock")) << " (target ≥ 2x); with version-1 tokens "
       << ratio(bestRate(runs, "dhtpush-v1"), bestRate(runs, "stock")) << ". In the first window: "
       << ratio(bestRate(runs, "dhtpush", true), bestRate(runs, "stock", true)) << "; with version-1 tokens "
       << ratio(bestRate(runs, "dhtpush-v1", true), bestRate(runs, "stock", true))
       << ". *last / first* is a run's last window's accepted rate over its first's (target ≥ 0.8x: a rate\n"
       << "that does not decay as the values pile up).\n\n";
}

void attackTable(std::ostream& md, const Json::Value& runs) {
    if (runs.empty()) return;
    md << "## Under attack\n\n"
       << "Honest delivery on one node while it is attacked, each case on a fresh 10-node network with the\n"
       << "shipped limits: sequential WebPush POSTs to the node for a device attached to it (milliseconds\n"
       << "from the POST to the event). *forged*: a hostile DHT peer puts envelopes for a VAPID-bound\n"
       << "subscription of the node at 4,000/s, each with a new proof that fails only at the signature.\n"
       << "*flood*: 4 senders POST as fast as they can to one token of the node. *idle-tls*: TCP\n"
       << "connections to the HTTPS port that never start TLS, from 79 loopback addresses, reopened as the\n"
       << "node closes them. *reconnect*: `storm_devices` devices of the node, each with `storm_backlog`\n"
       << "messages it never acks, reopen their event streams as fast as 4 threads can, from 79 loopback\n"
       << "addresses (each opening sends the whole backlog). *none*: no attack in either phase (how far\n"
       << "two quiet phases differ on this machine).\n\n"
       << "Each case alternates quiet and attacked phases (`rounds` of each, the samples split evenly) on\n"
       << "the same node, and compares the attacked samples with the quiet ones of the same run: the\n"
       << "machine's own noise falls on both alike. The other DHT nodes and the attacker, which would\n"
       << "have their own machines, run at the lowest CPU priority (nice 19). /health is probed every\n"
       << "20 ms meanwhile, at least 200 times in each condition (milliseconds). Target: honest p99\n"
       << "within 2x of the quiet phases.\n\n"
       << "| attack | load | honest samples | p50 | p99 | quiet p99 | p99 / quiet | lost | /health p99 / max (quiet p99) |\n"
       << "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& r : runs) {
        std::string load;
        for (const auto& name : r["load"].getMemberNames())
            load += (load.empty() ? "" : ", ") + name + " " + std::to_string(r["load"][name].asUInt64());
        const auto& h = r["honest_ms"];
        const auto quietP99 = r["quiet_honest_ms"]["p99"].asDouble();
        md << "| " << r["attack"].asString() << " | " << (load.empty() ? "—" : load) << " | " << h["samples"].asUInt()
           << " | " << fixed(h["p50"].asDouble(), 3) << " | " << fixed(h["p99"].asDouble(), 3) << " | "
           << fixed(quietP99, 3) << " | " << ratio(h["p99"].asDouble(), quietP99) << " | " << r["lost"].asUInt() << " | "
           << (r["health_ms"].isObject()
                   ? fixed(r["health_ms"]["p99"].asDouble(), 1) + " / " + fixed(r["health_ms"]["max"].asDouble(), 1) +
                         " (" + fixed(r["quiet_health_ms"]["p99"].asDouble(), 1) + ")"
                   : std::string("—"))
           << " |\n";
    }
    md << "\n";
}

void appHopTable(std::ostream& md, const Json::Value& hop) {
    if (!hop.isObject()) return;
    md << "## The device service's hop\n\n"
       << "Sequential WebPush POSTs (encrypted, RFC 8291) to one of two proxies on a 10-node network,\n"
       << "in turn to an app registered through dhtpush-distributor (its own process, on a private\n"
       << "session bus) with the app library, and to a device's event stream on the same proxy;\n"
       << "milliseconds from the POST to the app's callback or to the event, both decrypted.\n\n"
       << "| path | samples | p50 | p99 | lost |\n| --- | --- | --- | --- | --- |\n";
    for (const auto& [name, key, lost] : {std::tuple{"POST → app (distributor, D-Bus, app library)", "app_ms", "app_lost"},
                                          std::tuple{"POST → event stream", "sse_ms", "sse_lost"}}) {
        const auto& h = hop[key];
        md << "| " << name << " | " << h["samples"].asUInt() << " | " << fixed(h["p50"].asDouble(), 3) << " | "
           << fixed(h["p99"].asDouble(), 3) << " | " << hop[lost].asUInt() << " |\n";
    }
    md << "\n";
}

void cryptoTable(std::ostream& md, const Json::Value& crypto) {
    if (!crypto.isObject()) return;
    md << "## Crypto cost\n\nGoogle Benchmark, one core.\n\n| operation | time per message (µs) |\n| --- | --- |\n";
    for (const auto& b : crypto["benchmarks"])
        md << "| " << b["name"].asString() << " | " << fixed(b["real_time"].asDouble() / 1000.0, 1) << " |\n";
    md << "\n";
}

}  // namespace

int writeReport(const std::map<std::string, std::string>& options) {
    const fs::path dir = options.at("--dir");
    Json::Value report(Json::objectValue);
    report["latency"] = Json::Value(Json::arrayValue);
    for (const char* n : {"10", "50"})
        if (auto v = readJson(dir / ("latency-" + std::string(n) + ".json")); v.isObject()) report["latency"].append(v);
    report["latency_netns"] = readJson(dir / "latency-netns.json");
    if (report["latency_netns"].isObject()) report["latency_netns"]["switch"] = readJson(dir / "latency-netns-hub.json");
    report["capacity"] = readJsonLines(dir / "capacity.jsonl");
    report["million"] = readJson(dir / "million.json");
    auto& ingress = report["ingress"];
    ingress["runs"] = readIngress(dir);
    if (const auto stock = bestRate(ingress["runs"], "stock"); stock > 0) {
        ingress["ratio"] = bestRate(ingress["runs"], "dhtpush") / stock;
        ingress["ratio_v1"] = bestRate(ingress["runs"], "dhtpush-v1") / stock;
    }
    if (const auto stock = bestRate(ingress["runs"], "stock", true); stock > 0) {
        ingress["ratio_first_window"] = bestRate(ingress["runs"], "dhtpush", true) / stock;
        ingress["ratio_v1_first_window"] = bestRate(ingress["runs"], "dhtpush-v1", true) / stock;
    }
    report["under_attack"] = Json::Value(Json::arrayValue);
    for (const char* kind : {"none", "forged", "flood", "idle-tls", "reconnect"})
        if (auto v = readJson(dir / ("attack-" + std::string(kind) + ".json")); v.isObject()) {
            v.removeMember("health");
            report["under_attack"].append(v);
        }
    report["soak"] = Json::Value(Json::arrayValue);
    std::vector<fs::path> soaks;  // soak-KIND-RATE.json, in name order: dhtpush before stock
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind("soak-", 0) == 0 && entry.path().extension() == ".json")
            soaks.push_back(entry.path());
    std::sort(soaks.begin(), soaks.end());
    for (const auto& path : soaks)
        if (auto v = readJson(path); v.isObject()) report["soak"].append(v);
    report["app_hop"] = readJson(dir / "app-hop.json");
    report["crypto"] = readJson(dir / "crypto.json");
    writeCapacityPlotData(dir, report["capacity"]);
    report["machine"] = readJson(dir / "machine.json");
    report["sections"] = readJsonLines(dir / "sections.jsonl");

    if (auto it = options.find("--json"); it != options.end()) std::ofstream(it->second) << report.toStyledString();
    if (auto it = options.find("--markdown"); it != options.end()) {
        std::ofstream md(it->second);
        std::ifstream header(dir / "header.md");
        md << header.rdbuf();
        latencyTable(md, report["latency"]);
        netnsLatencyTable(md, report["latency_netns"]);
        capacityTable(md, report["capacity"]);
        millionTable(md, report["million"]);
        ingressTable(md, report["ingress"]);
        attackTable(md, report["under_attack"]);
        soakTable(md, report["soak"]);
        appHopTable(md, report["app_hop"]);
        cryptoTable(md, report["crypto"]);
        sectionsTable(md, report["sections"]);
        std::ifstream footer(dir / "footer.md");
        md << footer.rdbuf();
    }
    return 0;
}

}  // namespace dhtpush::bench
