#include "soak_report.h"

#include <algorithm>
#include <fstream>
#include <string>

#include "format.h"

namespace dhtpush::bench {
namespace {

constexpr double TTL_MINUTES = 10;       // the messages' TTL: RSS is judged after it
constexpr double HEALTH_P99_MS = 100;    // issue 19's mark
constexpr double RATE_HELD = 0.95;       // of the offered rate, in every bucket
constexpr double RSS_FLAT = 1.10;        // growth allowed after the first TTL window
constexpr long FDS_FLAT = 8;

struct Verdict {
    bool rateHeld{true}, healthFast{true}, fdsFlat{true};
    std::string rss{"n/a (shorter than the TTL)"};
};

Verdict judge(const Json::Value& run) {
    Verdict v;
    const auto& buckets = run["buckets"];
    if (buckets.empty()) return v;
    const auto rate = run["rate"].asDouble();
    for (const auto& b : buckets) v.rateHeld = v.rateHeld && b["created_per_s"].asDouble() >= RATE_HELD * rate;
    v.healthFast = run["health_ms"]["p99"].asDouble() < HEALTH_P99_MS;
    const auto& first = buckets[0];
    const auto& last = buckets[buckets.size() - 1];
    v.fdsFlat = last["fds_receiver"].asInt64() - first["fds_receiver"].asInt64() <= FDS_FLAT &&
                last["fds_sender"].asInt64() - first["fds_sender"].asInt64() <= FDS_FLAT;
    // The first bucket past one TTL against the last: both nodes within RSS_FLAT.
    for (const auto& b : buckets)
        if (b["minute"].asDouble() > TTL_MINUTES + 1 && &b != &last) {
            const bool flat = last["rss_receiver_kib"].asDouble() <= RSS_FLAT * b["rss_receiver_kib"].asDouble() &&
                              last["rss_sender_kib"].asDouble() <= RSS_FLAT * b["rss_sender_kib"].asDouble();
            v.rss = flat ? "yes" : "no";
            break;
        }
    return v;
}

std::string mib(const Json::Value& kib) { return fixed(kib.asDouble() / 1024.0, 0); }
std::string yesNo(bool v) { return v ? "yes" : "**no**"; }

}  // namespace

void soakTable(std::ostream& md, const Json::Value& runs) {
    if (runs.empty()) return;
    md << "## Soak (sustained load)\n\n"
       << "Issue 19's scenario on a three-node loopback network: a device with 20 subscriptions on node\n"
       << "A, 4 senders POSTing 200-byte messages (TTL 600) to node B round robin over kept-alive\n"
       << "connections at a fixed offered rate; B's per-subscription rate limit is lifted (50 messages/s\n"
       << "each). *stock*: the same on stock `dhtnode --proxyserver` processes (`POST /key/<key>` at B,\n"
       << "streaming listens at A, `GET /` probed as its health). *dhtpush --inbox-keys wide*: the three\n"
       << "nodes on the `wide` inbox key scheme, 64 lanes an inbox (docs/protocol.md); *--inbox-keys\n"
       << "slotted*: on `slotted`, 16 lanes whose values are tagged and listened to by the minute.\n"
       << "*device away 20 s*: the device closes its stream after the first bucket and opens it again\n"
       << "20 s later, without Last-Event-ID; its mailbox (1,000) fills meanwhile, and what the DHT\n"
       << "brings past it must still reach it (docs/protocol.md, *Quotas*). Its *dup* are messages it\n"
       << "had not acked when it left, sent again from the mailbox (clients drop repeats by id).\n"
       << "/health of B is probed every 100 ms.\n"
       << "Marks: every bucket answers at least 95 % of the offered rate, 0 lost (answered 201 and never\n"
       << "delivered), 0 duplicates, /health p99 under 100 ms, RSS within 10 % after the first TTL\n"
       << "window, open files flat. *A's UDP drops*: DHT datagrams the kernel dropped at A because A did\n"
       << "not read them in time (`dht.receive_drops`); listen notifications among them are lost for good.\n"
       << "*CPU µs per message*: each node's CPU time (user and system, /proc) over the run divided by\n"
       << "the messages answered 201; A is the device's proxy, B the node that took the POSTs.\n\n"
       << "| kind | offered/s | minutes | sent | answered 2xx | delivered | lost | dup | A's UDP drops | delivery p50 / p99 (ms) | "
          "/health p99 / max (ms) | RSS A, B (MiB) first → last | fds A, B first → last | CPU µs per message A, B | "
          "rate held | RSS flat | /health < 100 ms | fds flat |\n"
       << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& r : runs) {
        const auto& buckets = r["buckets"];
        if (buckets.empty()) continue;
        const auto& first = buckets[0];
        const auto& last = buckets[buckets.size() - 1];
        double p50 = 0, p99 = 0;
        for (const auto& b : buckets) {
            p50 = std::max(p50, b["delivery_ms"]["p50"].asDouble());
            p99 = std::max(p99, b["delivery_ms"]["p99"].asDouble());
        }
        const auto v = judge(r);
        md << "| " << r["kind"].asString() << " | " << fixed(r["rate"].asDouble(), 0) << " | "
           << fixed(r["seconds"].asDouble() / 60.0, 1) << " | " << r["sent"].asUInt64() << " | " << r["created"].asUInt64()
           << " | " << r["delivered"].asUInt64() << " | " << r["lost"].asUInt64() << " | " << r["duplicates"].asUInt64()
           << " | "
           << (r.isMember("receiver_receive_drops") ? std::to_string(r["receiver_receive_drops"].asUInt64()) : "—")
           << " | " << fixed(p50, 1) << " / " << fixed(p99, 1) << " | " << fixed(r["health_ms"]["p99"].asDouble(), 1)
           << " / " << fixed(r["health_ms"]["max"].asDouble(), 1) << " | " << mib(first["rss_receiver_kib"]) << ", "
           << mib(first["rss_sender_kib"]) << " → " << mib(last["rss_receiver_kib"]) << ", "
           << mib(last["rss_sender_kib"]) << " | " << first["fds_receiver"].asInt64() << ", "
           << first["fds_sender"].asInt64() << " → " << last["fds_receiver"].asInt64() << ", "
           << last["fds_sender"].asInt64() << " | "
           << (r.isMember("cpu_us_per_message_receiver")
                   ? fixed(r["cpu_us_per_message_receiver"].asDouble(), 0) + ", " +
                         fixed(r["cpu_us_per_message_sender"].asDouble(), 0)
                   : std::string("—"))
           << " | " << yesNo(v.rateHeld) << " | " << v.rss << " | "
           << yesNo(v.healthFast) << " | " << yesNo(v.fdsFlat) << " |\n";
    }
    md << "\n(delivery p50 / p99: the worst bucket's.)\n\n![soak](performance/soak.png)\n\n";
}

void writeSoakCurves(const std::string& path, const Json::Value& result) {
    std::ofstream out(path);
    out << "# minute created_per_s delivery_p50_ms delivery_p99_ms health_p99_ms rss_a_mib rss_b_mib fds_a fds_b\n";
    for (const auto& b : result["buckets"])
        out << b["minute"].asDouble() << ' ' << b["created_per_s"].asDouble() << ' ' << b["delivery_ms"]["p50"].asDouble()
            << ' ' << b["delivery_ms"]["p99"].asDouble() << ' ' << b["health_ms"]["p99"].asDouble() << ' '
            << static_cast<double>(b["rss_receiver_kib"].asInt64()) / 1024.0 << ' '
            << static_cast<double>(b["rss_sender_kib"].asInt64()) / 1024.0 << ' ' << b["fds_receiver"].asInt64() << ' '
            << b["fds_sender"].asInt64() << '\n';
}

}  // namespace dhtpush::bench
