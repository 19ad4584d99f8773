// The app-server API (RFC 8030 §5): POST /wp/<token>, on every node.
#include <chrono>

#include "dhtpush/node/json.h"
#include "http_response.h"
#include "route_context.h"
#include "vapid_check.h"
#include "webpush_request.h"

namespace dhtpush::proxy {
namespace {

Expected<crypto::SubscriptionToken> tokenParam(const RouteParams& params) {
    const auto text = params["token"];
    auto token = crypto::SubscriptionToken::parse(std::string_view(text.data(), text.size()));
    if (!token) return makeError(Errc::NotFound, "no push subscription has this endpoint");
    return *token;
}

std::int64_t nowUnix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

restinio::request_handling_status_t postMessage(RouteContext& ctx, const RequestHandle& req, const RouteParams& params) {
    auto token = tokenParam(params);
    if (!token) return sendProblem(req, token.error());
    WebPushHeaders headers{headerValue(req, "TTL"), headerValue(req, "Urgency"), headerValue(req, "Topic"),
                           headerValue(req, "Content-Encoding")};
    auto envelope = parseWebPushRequest(headers, req->body(), ctx.config.maxTtlSeconds);
    if (!envelope) return sendProblem(req, envelope.error());
    // RFC 8292: the bound key is known here only when this node is the device's proxy; any
    // Authorization given is checked and travels in the envelope, so that the device's proxy
    // can check it against the key it knows (checkEnvelopeVapid in the delivery hub).
    auto local = ctx.store.subscription(token->text());
    if (!local && local.error().code != Errc::NotFound) return sendProblem(req, local.error());
    const auto authorization = headerValue(req, "Authorization");
    if (auto vapid = checkPostVapid(local ? local->vapidKey : std::string(), authorization, ctx.audiences, nowUnix());
        !vapid)
        return sendProblem(req, vapid.error());
    if (authorization) envelope->vapid = std::string(*authorization);
    if (!ctx.config.standalone && !ctx.network.connected())
        return sendProblem(req, makeError(Errc::Unavailable, "this node is not connected to the DHT; retry later"));
    if (ctx.network.publishBacklog() >= ctx.config.maxPublishBacklog)
        return sendProblem(req, makeError(Errc::Unavailable, "this node is busy publishing into the DHT; retry in a second"),
                           {{"Retry-After", "1"}});
    // When this node is the device's proxy it knows the mailbox, so a full one is the
    // sender's error (507) rather than a message dropped later.
    if (local && envelope->ttlSeconds > 0) {
        const auto size = node::encodeEnvelope(*envelope).size();
        if (auto room = ctx.mailbox.checkRoom(local->deviceId, token->text(), envelope->topic, size); !room)
            return sendProblem(req, room.error());
    }
    // Devices attached here get it at once; everyone else listening gets it through the DHT.
    ctx.hub->deliver(token->text(), *envelope);
    ctx.network.publish(token->dhtKey(), *envelope, {});
    return sendEmpty(req, 201,
                     {{"Location", ctx.baseUrl + "/m/" + envelope->idText()},
                      {"TTL", std::to_string(envelope->ttlSeconds)}});
}

restinio::request_handling_status_t describeEndpoint(const RequestHandle& req, const RouteParams& params) {
    auto token = tokenParam(params);
    if (!token) return sendProblem(req, token.error());
    // UnifiedPush app servers probe the endpoint with a GET to learn it is a push endpoint.
    Json::Value body(Json::objectValue);
    body["unifiedpush"]["version"] = 1;
    return sendJson(req, 200, node::writeJson(body));
}

}  // namespace

void addWebPushRoutes(Router& router, RouteContext& ctx) {
    router.http_post("/wp/:token", guarded([&ctx](const RequestHandle& req, RouteParams params) {
                         return postMessage(ctx, req, params);
                     }));
    router.http_get("/wp/:token", guarded([](const RequestHandle& req, RouteParams params) {
                        return describeEndpoint(req, params);
                    }));
}

}  // namespace dhtpush::proxy
