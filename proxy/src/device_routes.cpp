// The device API: attach, subscriptions, and the event stream (docs/protocol.md).
#include "device_request.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"
#include "mailbox_request.h"
#include "dhtpush/node/json.h"
#include "http_response.h"
#include "route_context.h"

namespace dhtpush::proxy {
namespace {

std::string param(const RouteParams& params, const char* name) {
    const auto value = params[name];
    return std::string(value.data(), value.size());
}

Status authorize(RouteContext& ctx, const RequestHandle& req, const std::string& deviceId) {
    auto secret = parseBearer(headerValue(req, "Authorization"));
    if (!secret) return secret.error();
    return ctx.store.authenticate(deviceId, *secret);
}

// Which inbox a new subscription goes in: at random, so the proxy's traffic spreads over them.
crypto::Bytes randomInbox(const RouteContext& ctx) {
    if (ctx.inboxes.empty()) return {};
    return ctx.inboxes[crypto::randomUint64() % ctx.inboxes.size()];
}

std::string endpointOf(const RouteContext& ctx, const std::string& token) { return ctx.baseUrl + "/wp/" + token; }

// The node's whole capacity is taken: a device can attach to another proxy. Retried in an hour.
restinio::request_handling_status_t sendFull(RouteContext& ctx, const RequestHandle& req, const char* limit,
                                             const std::string& detail) {
    ctx.limits.count(limit);
    return sendRefusal(req, Refusal{makeError(Errc::StorageFull, detail), std::chrono::hours(1)});
}

restinio::request_handling_status_t createDevice(RouteContext& ctx, const RequestHandle& req) {
    // First the rate: guessing an invite costs an attempt like attaching does.
    if (auto refused = ctx.limits.attach(sourceOf(req))) return sendRefusal(req, *refused);
    if (!ctx.config.inviteSecret.empty()) {  // a closed proxy: only devices given the invite
        auto invite = parseBearer(headerValue(req, "Authorization"));
        if (!invite || !crypto::constantTimeEqual(*invite, ctx.config.inviteSecret))
            return sendProblem(req, makeError(Errc::Unauthorized, "this proxy attaches only devices with an invite: "
                                                                  "'Authorization: Bearer <invite>'"));
    }
    if (ctx.config.maxDevices && ctx.store.deviceTotal() >= ctx.config.maxDevices)
        return sendFull(ctx, req, "devices", "this proxy holds as many devices as it can; attach to another proxy");
    auto device = ctx.store.createDevice();
    if (!device) return sendProblem(req, device.error());
    Json::Value body(Json::objectValue);
    body["device_id"] = device->id;
    body["secret"] = device->secret;
    return sendJson(req, 201, node::writeJson(body), {{"Location", ctx.baseUrl + "/v1/devices/" + device->id}});
}

restinio::request_handling_status_t deleteDevice(RouteContext& ctx, const RequestHandle& req, const std::string& id) {
    if (auto auth = authorize(ctx, req, id); !auth) return sendProblem(req, auth.error());
    auto removed = ctx.store.deleteDevice(id);
    if (!removed) return sendProblem(req, removed.error());
    ctx.hub->forgetDevice(id);
    return sendEmpty(req, 204);
}

restinio::request_handling_status_t listSubscriptions(RouteContext& ctx, const RequestHandle& req,
                                                      const std::string& id) {
    if (auto auth = authorize(ctx, req, id); !auth) return sendProblem(req, auth.error());
    auto tokens = ctx.store.subscriptionsOf(id);
    if (!tokens) return sendProblem(req, tokens.error());
    Json::Value body(Json::objectValue);
    body["subscriptions"] = Json::Value(Json::arrayValue);
    for (const auto& token : *tokens) {
        Json::Value entry(Json::objectValue);
        entry["token"] = token;
        entry["endpoint"] = endpointOf(ctx, token);
        body["subscriptions"].append(entry);
    }
    return sendJson(req, 200, node::writeJson(body));
}

restinio::request_handling_status_t addSubscription(RouteContext& ctx, const RequestHandle& req,
                                                    const std::string& id) {
    if (auto auth = authorize(ctx, req, id); !auth) return sendProblem(req, auth.error());
    if (auto refused = ctx.limits.subscribe(sourceOf(req))) return sendRefusal(req, *refused);
    auto request = parseSubscriptionRequest(req->body(), randomInbox(ctx));
    if (!request) return sendProblem(req, request.error());
    const auto& token = request->token;
    if (ctx.store.subscriptionCount(id) >= ctx.config.maxSubscriptionsPerDevice)
        return sendProblem(req, makeError(Errc::QuotaExceeded, "this device has reached its subscription limit"));
    if (ctx.config.maxSubscriptions && ctx.store.subscriptionTotal() >= ctx.config.maxSubscriptions)
        return sendFull(ctx, req, "subscriptions", "this proxy holds as many subscriptions as it can");
    // A token outside the proxy's inboxes needs DHT listens of its own (one, or one per lane
    // of another inbox): those are bounded.
    const std::size_t listens = token.recipient().empty() ? 1 : ctx.hub->inboxListens();
    if (ctx.config.maxListens && !ctx.inboxKeys.count(token.dhtKey()) &&
        ctx.hub->listenCount() + listens > ctx.config.maxListens)
        return sendFull(ctx, req, "listens", "this proxy holds as many DHT listens as it can; subscribe without a "
                                             "token of your own (an inbox token) or at another proxy");
    if (auto added = ctx.store.addSubscription(id, token.text(), request->vapidKey); !added)
        return sendProblem(req, added.error());
    ctx.hub->watch(token.text(), id, request->vapidKey);
    Json::Value body(Json::objectValue);
    body["token"] = token.text();
    body["endpoint"] = endpointOf(ctx, token.text());
    return sendJson(req, 201, node::writeJson(body),
                    {{"Location", ctx.baseUrl + "/v1/devices/" + id + "/subscriptions/" + token.text()}});
}

restinio::request_handling_status_t removeSubscription(RouteContext& ctx, const RequestHandle& req,
                                                       const std::string& id, const std::string& token) {
    if (auto auth = authorize(ctx, req, id); !auth) return sendProblem(req, auth.error());
    if (auto removed = ctx.store.removeSubscription(id, token); !removed) return sendProblem(req, removed.error());
    ctx.hub->unwatch(token);
    return sendEmpty(req, 204);
}

// An event stream's response head. The connection ends with the stream (its socket is the
// stream's, see stream_connection.h), so it says so.
const std::string EVENT_STREAM_HEAD =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-store\r\n"
    "X-Accel-Buffering: no\r\n"  // reverse proxies must not hold events back
    "Transfer-Encoding: chunked\r\n"
    "Connection: close\r\n"
    "\r\n";

restinio::request_handling_status_t openEvents(RouteContext& ctx, const RequestHandle& req, const std::string& id,
                                              ConnectionId connectionTag, StreamTaker take) {
    if (auto auth = authorize(ctx, req, id); !auth) return sendProblem(req, auth.error());
    auto minUrgency = parseStreamUrgency(req->header().query());
    if (!minUrgency) return sendProblem(req, minUrgency.error());
    // After the device's secret holds: a stranger cannot spend a device's openings.
    if (auto refused = ctx.limits.openStream(id)) return sendRefusal(req, *refused);
    auto socket = take(req, EVENT_STREAM_HEAD);
    // Null only if restinio's connection type changed under us; sendProblem logs the 500.
    if (!socket) return sendProblem(req, makeError(Errc::Internal, "the event stream could not be opened"));
    socket->sendChunk("retry: 3000\n: connected\n\n");
    auto stream = std::make_shared<EventStream>(id, req->connection_id() | connectionTag, std::move(socket), *minUrgency);
    ctx.hub->attach(std::move(stream), parseLastEventId(headerValue(req, "Last-Event-ID")));
    return restinio::request_accepted();
}

restinio::request_handling_status_t acknowledge(RouteContext& ctx, const RequestHandle& req, const std::string& id) {
    if (auto auth = authorize(ctx, req, id); !auth) return sendProblem(req, auth.error());
    auto ids = parseAcks(req->body());
    if (!ids) return sendProblem(req, ids.error());
    auto acked = ctx.mailbox.ack(id, *ids);
    if (!acked) return sendProblem(req, acked.error());
    ctx.hub->collected(id, std::move(*ids), *acked);  // room for what its full mailbox refused and is held
    Json::Value body(Json::objectValue);
    body["acked"] = Json::UInt64(*acked);
    return sendJson(req, 200, node::writeJson(body));
}

}  // namespace

void addDeviceRoutes(Router& router, RouteContext& ctx, ConnectionId connectionTag, StreamTaker take) {
    router.http_post("/v1/devices", guarded([&ctx](const RequestHandle& req, RouteParams) {
                         return createDevice(ctx, req);
                     }));
    router.http_delete("/v1/devices/:device", guarded([&ctx](const RequestHandle& req, RouteParams params) {
                           return deleteDevice(ctx, req, param(params, "device"));
                       }));
    router.http_get("/v1/devices/:device/subscriptions",
                    guarded([&ctx](const RequestHandle& req, RouteParams params) {
                        return listSubscriptions(ctx, req, param(params, "device"));
                    }));
    router.http_post("/v1/devices/:device/subscriptions",
                     guarded([&ctx](const RequestHandle& req, RouteParams params) {
                         return addSubscription(ctx, req, param(params, "device"));
                     }));
    router.http_delete("/v1/devices/:device/subscriptions/:token",
                       guarded([&ctx](const RequestHandle& req, RouteParams params) {
                           return removeSubscription(ctx, req, param(params, "device"), param(params, "token"));
                       }));
    router.http_get("/v1/devices/:device/events",
                    guarded([&ctx, connectionTag, take](const RequestHandle& req, RouteParams params) {
                        return openEvents(ctx, req, param(params, "device"), connectionTag, take);
                    }));
    router.http_post("/v1/devices/:device/acks", guarded([&ctx](const RequestHandle& req, RouteParams params) {
                         return acknowledge(ctx, req, param(params, "device"));
                     }));
}

}  // namespace dhtpush::proxy
