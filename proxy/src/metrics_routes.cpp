// Operator API: GET /metrics, what /health says and more, in Prometheus's text format
// (docs/operators.md, *Metrics*). Counters since the process started; no secret, no token.
#include <dirent.h>

#include <fstream>
#include <string>

#include "http_response.h"
#include "metrics_text.h"
#include "route_context.h"

namespace dhtpush::proxy {
namespace {

double residentBytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;
    return 0;
}

double openFiles() {
    double count = 0;
    if (DIR* dir = opendir("/proc/self/fd")) {
        while (auto* entry = readdir(dir))
            if (entry->d_name[0] != '.') ++count;
        closedir(dir);
    }
    return count - 1;  // the directory's own descriptor
}

template <class T>
double asDouble(T value) {
    return static_cast<double>(value);
}

std::string metricsText(RouteContext& ctx) {
    MetricsText m;
    const auto dht = ctx.network.status();
    const auto& c = ctx.hub->counters();

    m.family("dhtpush_http_responses_total", "counter",
             "HTTP responses by route (webpush: POST/GET /wp/, device: /v1/, message: /m/) and status");
    forEachResponseCount([&](const char* route, int status, std::uint64_t count) {
        m.sample("dhtpush_http_responses_total", asDouble(count), {{"route", route}, {"status", std::to_string(status)}});
    });
    m.counter("dhtpush_messages_published_total", "Messages this node put into the DHT", asDouble(dht.messagesPublished));
    m.counter("dhtpush_messages_delivered_total", "Messages written to a device's event stream as they came",
              asDouble(c.delivered.load()));
    m.counter("dhtpush_messages_queued_total", "Messages stored in a device's mailbox", asDouble(c.queued.load()));
    m.counter("dhtpush_messages_duplicates_total", "Copies of messages already held, dropped", asDouble(c.duplicates.load()));
    m.counter("dhtpush_messages_expired_total", "Messages whose TTL ran out before their device took them",
              asDouble(c.expired.load()));
    m.counter("dhtpush_messages_dropped_total",
              "Messages not kept: TTL 0 with no stream open, or the subscription or the disk gone",
              asDouble(c.dropped.load()));
    m.counter("dhtpush_messages_rejected_total", "Envelopes from the DHT refused for their times or their VAPID proof",
              asDouble(c.rejected.load()));
    m.counter("dhtpush_messages_mailbox_full_total", "Messages not kept because a mailbox or the disk was full",
              asDouble(c.storageFull.load()));
    m.counter("dhtpush_refetch_passes_total",
              "Passes that asked the DHT again for what full mailboxes refused, once their devices collected",
              asDouble(c.refetchPasses.load()));
    m.gauge("dhtpush_refetch_devices_waiting", "Devices whose full mailbox refused messages the DHT still holds",
            asDouble(ctx.hub->refetchWaiting()));
    m.counter("dhtpush_messages_held_total",
              "Messages from the DHT a full mailbox refused that were held in memory for their device",
              asDouble(c.held.load()));
    m.gauge("dhtpush_held_messages", "Messages from the DHT a full mailbox refused, held in memory until their device acks",
            asDouble(ctx.hub->heldMessages()));
    m.gauge("dhtpush_held_bytes", "Bytes of those held messages", asDouble(ctx.hub->heldBytes()));
    m.histogram("dhtpush_delivery_latency_seconds",
                "From a message's creation at the sender node to its write on a device's open stream",
                ctx.hub->deliveryLatency().snapshot());
    if (auto totals = ctx.mailbox.totals()) {
        m.gauge("dhtpush_mailbox_messages", "Messages held in mailboxes, all devices", asDouble(totals->messages));
        m.gauge("dhtpush_mailbox_bytes", "Bytes of the messages held in mailboxes", asDouble(totals->bytes));
    }
    m.gauge("dhtpush_devices", "Devices attached to this proxy", asDouble(ctx.store.deviceTotal()));
    m.gauge("dhtpush_subscriptions", "Subscriptions held by this proxy", asDouble(ctx.store.subscriptionTotal()));
    m.gauge("dhtpush_open_streams", "Event streams open now", asDouble(ctx.hub->openStreams()));
    m.counter("dhtpush_streams_opened_total", "Event streams opened", asDouble(c.streamsOpened.load()));
    m.gauge("dhtpush_dht_connected", "1 when the DHT node has a good node to talk to", dht.connected ? 1 : 0);
    m.gauge("dhtpush_dht_good_nodes", "Good nodes in the DHT routing table", asDouble(dht.goodNodes));
    m.gauge("dhtpush_dht_probe_ok", "1 when another DHT node took a self-probe value within the last 3 intervals",
            dht.probeOk ? 1.0 : 0.0);
    m.counter("dhtpush_dht_probes_total", "Self-probe values put", asDouble(dht.probesSent));
    m.counter("dhtpush_dht_probes_failed_total", "Self-probe values no other node took", asDouble(dht.probesFailed));
    m.gauge("dhtpush_dht_dubious_nodes", "Dubious nodes in the DHT routing table", asDouble(dht.dubiousNodes));
    m.gauge("dhtpush_dht_listens", "DHT listens for this proxy's subscriptions", asDouble(ctx.hub->listenCount()));
    m.counter("dhtpush_dht_values_put_total", "Values this node put into the DHT", asDouble(dht.valuesPut));
    m.counter("dhtpush_dht_values_failed_total", "Values no storing node took", asDouble(dht.valuesFailed));
    m.gauge("dhtpush_dht_stored_bytes", "Bytes this node stores for the DHT", asDouble(dht.storedBytes));
    m.gauge("dhtpush_dht_stored_values", "Values this node stores for the DHT", asDouble(dht.storedValues));
    m.counter("dhtpush_dht_storage_refused_total", "Push values this node's storage budget refused",
              asDouble(dht.storageRefused));
    m.counter("dhtpush_dht_receive_drops_total", "DHT datagrams the kernel dropped before the node read them",
              asDouble(dht.receiveDrops));
    m.family("dhtpush_refusals_total", "counter", "Requests refused over a limit (429, 507), by limit");
    for (const auto& [limit, count] : ctx.limits.refusals())
        m.sample("dhtpush_refusals_total", asDouble(count), {{"limit", limit}});
    if (ctx.guard) {
        m.counter("dhtpush_connections_refused_total", "Connections refused over the per-address limit",
                  asDouble(ctx.guard->refused()));
        m.counter("dhtpush_tls_handshake_timeouts_total", "TLS handshakes that did not finish in time",
                  asDouble(ctx.guard->handshakeTimeouts()));
        m.counter("dhtpush_accepts_restarted_total", "Accepts issued again after accept() failed",
                  asDouble(ctx.guard->acceptRestarts()));
    }
    m.gauge("process_resident_memory_bytes", "Resident memory of the process", residentBytes());
    m.gauge("process_open_fds", "Open file descriptors of the process", openFiles());
    return m.text();
}

}  // namespace

void addMetricsRoutes(Router& router, RouteContext& ctx) {
    router.http_get("/metrics", guarded([&ctx](const RequestHandle& req, RouteParams) {
                        auto response = req->create_response();
                        response.append_header(restinio::http_field::content_type, "text/plain; version=0.0.4");
                        response.append_header(restinio::http_field::cache_control, "no-store");
                        return response.set_body(metricsText(ctx)).done();
                    }));
}

}  // namespace dhtpush::proxy
