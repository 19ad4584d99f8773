// Operator API: GET /health says whether this node can do its job, DHT included.
#include "dhtpush/node/json.h"
#include "http_response.h"
#include "route_context.h"

namespace dhtpush::proxy {

void addHealthRoutes(Router& router, RouteContext& ctx) {
    router.http_get("/health", guarded([&ctx](const RequestHandle& req, RouteParams) {
                        const auto status = ctx.network.status();
                        const bool healthy = status.running && (status.connected || ctx.config.standalone);
                        Json::Value body(Json::objectValue);
                        body["status"] = healthy ? "ok" : "degraded";
                        body["dht"]["running"] = status.running;
                        body["dht"]["connected"] = status.connected;
                        body["dht"]["standalone"] = ctx.config.standalone;
                        body["dht"]["good_nodes"] = status.goodNodes;
                        body["dht"]["dubious_nodes"] = status.dubiousNodes;
                        body["dht"]["node_id"] = status.nodeId;
                        // The key this node signs its proxy directory entry with: a device checks that
                        // an entry naming this URL was signed by it.
                        body["dht"]["identity"] = status.identity;
                        auto& directory = body["dht"]["directory"];
                        directory["entries"] = Json::UInt64(status.directoryEntries);
                        directory["announced_unix_ms"] = Json::Int64(status.directoryAnnouncedUnixMs);
                        directory["announce_failures"] = Json::UInt64(status.directoryAnnounceFailures);
                        directory["refused"] = Json::UInt64(status.directoryRefused);
                        body["dht"]["messages_published"] = Json::UInt64(status.messagesPublished);
                        body["dht"]["values_put"] = Json::UInt64(status.valuesPut);
                        body["dht"]["values_failed"] = Json::UInt64(status.valuesFailed);
                        body["dht"]["stored_bytes"] = Json::UInt64(status.storedBytes);
                        body["dht"]["stored_values"] = Json::UInt64(status.storedValues);
                        body["dht"]["storage_refused"] = Json::UInt64(status.storageRefused);
                        body["dht"]["receive_drops"] = Json::UInt64(status.receiveDrops);
                        // Whether a value of this node really reaches another node (the self-probe).
                        auto& probe = body["dht"]["probe"];
                        probe["active"] = status.probing;
                        probe["ok"] = status.probeOk;
                        probe["last_ok_unix_ms"] = Json::Int64(status.lastProbeOkUnixMs);
                        probe["sent"] = Json::UInt64(status.probesSent);
                        probe["failed"] = Json::UInt64(status.probesFailed);
                        body["subscriptions_watched"] = Json::UInt64(ctx.hub->watchCount());
                        body["dht_listens"] = Json::UInt64(ctx.hub->listenCount());
                        const auto& counters = ctx.hub->counters();
                        body["messages"]["delivered"] = Json::UInt64(counters.delivered.load());
                        body["messages"]["queued"] = Json::UInt64(counters.queued.load());
                        body["messages"]["duplicates"] = Json::UInt64(counters.duplicates.load());
                        body["messages"]["expired"] = Json::UInt64(counters.expired.load());
                        body["messages"]["dropped"] = Json::UInt64(counters.dropped.load());
                        body["messages"]["storage_full"] = Json::UInt64(counters.storageFull.load());
                        body["messages"]["held"] = Json::UInt64(counters.held.load());
                        body["messages"]["rejected"] = Json::UInt64(counters.rejected.load());
                        body["messages"]["proofs_limited"] = Json::UInt64(counters.proofsLimited.load());
                        body["refetch"]["passes"] = Json::UInt64(counters.refetchPasses.load());
                        body["refetch"]["devices_waiting"] = Json::UInt64(ctx.hub->refetchWaiting());
                        body["held"]["messages"] = Json::UInt64(ctx.hub->heldMessages());
                        body["held"]["bytes"] = Json::UInt64(ctx.hub->heldBytes());
                        if (ctx.guard) {
                            body["connections"]["refused_per_address"] = Json::UInt64(ctx.guard->refused());
                            body["connections"]["handshake_timeouts"] = Json::UInt64(ctx.guard->handshakeTimeouts());
                            body["connections"]["accepts_restarted"] = Json::UInt64(ctx.guard->acceptRestarts());
                        }
                        body["refusals"] = Json::Value(Json::objectValue);
                        for (const auto& [limit, count] : ctx.limits.refusals())
                            body["refusals"][limit] = Json::UInt64(count);
                        body["seen_ids"] = Json::UInt64(ctx.hub->seenIdCount());
                        body["dht_handoff"] = Json::UInt64(ctx.hub->dhtHandoff());
                        body["streams_open"] = Json::UInt64(ctx.hub->openStreams());
                        body["streams_opened"] = Json::UInt64(counters.streamsOpened.load());
                        body["streams_replaced"] = Json::UInt64(counters.streamsReplaced.load());
                        return sendJson(req, healthy ? 200 : 503, node::writeJson(body));
                    }));
}

}  // namespace dhtpush::proxy
