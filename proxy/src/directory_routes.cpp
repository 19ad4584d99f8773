// GET /v1/proxies: the proxy directory as this node finds it in the DHT (docs/protocol.md,
// "The proxy directory"). Each entry carries its signed value, so a device checks it again
// itself and need not trust this node.
#include "dhtpush/crypto/base64url.h"
#include "dhtpush/node/json.h"
#include "http_response.h"
#include "route_context.h"

namespace dhtpush::proxy {
namespace {

// Enough for a device to choose from; the response stays small (an entry is about 700 bytes).
constexpr std::size_t MAX_LISTED = 64;

Json::Value entryJson(const node::ProxyRecord& record) {
    Json::Value entry(Json::objectValue);
    entry["identity"] = record.identity;
    entry["node_id"] = record.nodeId;
    entry["urls"] = Json::Value(Json::arrayValue);
    for (const auto& url : record.urls) entry["urls"].append(url);
    entry["version"] = record.version;
    entry["capacity"]["devices"] = Json::UInt64(record.maxDevices);
    entry["load"]["devices"] = Json::UInt64(record.devices);
    entry["load"]["subscriptions"] = Json::UInt64(record.subscriptions);
    entry["load"]["streams"] = Json::UInt64(record.streams);
    entry["issued_unix_ms"] = Json::Int64(record.issuedUnixMs);
    entry["expires_unix_ms"] = Json::Int64(record.expiresUnixMs);
    entry["record"] = crypto::base64urlEncode(record.signedData);
    return entry;
}

}  // namespace

void addDirectoryRoutes(Router& router, RouteContext& ctx) {
    router.http_get("/v1/proxies", guarded([&ctx](const RequestHandle& req, RouteParams) {
                        const auto found = ctx.network.proxies();
                        if (!found)
                            return sendProblem(req, makeError(Errc::Unavailable, "reading the proxy directory from the DHT"),
                                               {{"Retry-After", "1"}});
                        const auto& records = *found;
                        Json::Value body(Json::objectValue);
                        body["proxies"] = Json::Value(Json::arrayValue);
                        for (std::size_t i = 0; i < records.size() && i < MAX_LISTED; ++i)
                            body["proxies"].append(entryJson(records[i]));
                        body["total"] = Json::UInt64(records.size());
                        return sendJson(req, 200, node::writeJson(body), {{"Cache-Control", "max-age=10"}});
                    }));
}

}  // namespace dhtpush::proxy
