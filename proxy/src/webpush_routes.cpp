// The app-server API (RFC 8030 §5): POST /wp/<token>, on every node.
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <chrono>
#include <optional>

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

// The answer to one POST, "201 means stored": 201 once the message is durably held, by this
// node's mailbox (the device's proxy: the commit) or by a storing node of the DHT (the put's
// acknowledgement); otherwise an error with Retry-After (503 when nobody took it in time,
// 507 for a full mailbox), so that the app server sends it again. The first answer wins.
class PendingPost : public std::enable_shared_from_this<PendingPost> {
public:
    // `limits` counts and reports the refusals (every 503/507 leaves a line, sampled); it
    // outlives the request, and runs on the server's one thread as this strand does.
    PendingPost(asio::io_context& io, RequestHandle req, Headers created, RequestLimits& limits)
        : strand_(asio::make_strand(io)), timer_(strand_), req_(std::move(req)), created_(std::move(created)),
          limits_(limits) {}
    void start(std::chrono::milliseconds maxWait) {
        timer_.expires_after(maxWait);
        timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
            if (!ec)
                self->answer(makeError(Errc::Unavailable, "no DHT node took the message in time; retry later"));
        });
    }
    // From any thread. On the timer's strand: cancelled, the timer does not wake the node a
    // second later for nothing.
    void finish(std::optional<Error> error) {
        asio::post(strand_, [self = shared_from_this(), error = std::move(error)] {
            self->timer_.cancel();
            self->answer(error);
        });
    }
    // The DHT put's result.
    void published(bool stored) {
        finish(stored ? std::nullopt
                      : std::optional<Error>(makeError(Errc::Unavailable, "no DHT node took the message; retry later")));
    }
    // The device's proxy's own mailbox decided.
    void decided(LocalOutcome outcome) {
        switch (outcome) {
            case LocalOutcome::Stored:
            case LocalOutcome::AlreadyHeld:
            case LocalOutcome::Streamed: return finish(std::nullopt);
            case LocalOutcome::Full:
                return finish(makeError(Errc::StorageFull, "the mailbox of this subscription (or this node's disk) is "
                                                           "full until the device collects it"));
            case LocalOutcome::NotHeld:
                return finish(makeError(Errc::Unavailable, "this node could not store the message; retry later"));
        }
    }

private:
    void answer(const std::optional<Error>& error) {
        if (answered_) return;
        answered_ = true;
        if (!error) {
            sendEmpty(req_, 201, created_);
            return;
        }
        limits_.count(error->code == Errc::StorageFull ? "message_not_stored_full" : "message_not_stored");
        sendProblem(req_, *error, {{"Retry-After", error->code == Errc::StorageFull ? "60" : "1"}});
    }

    asio::strand<asio::io_context::executor_type> strand_;
    asio::steady_timer timer_;
    RequestHandle req_;
    Headers created_;
    RequestLimits& limits_;
    bool answered_{false};  // on the strand only
};

restinio::request_handling_status_t postMessage(RouteContext& ctx, const RequestHandle& req, const RouteParams& params) {
    auto token = tokenParam(params);
    if (!token) return sendProblem(req, token.error());
    const auto source = sourceOf(req);
    if (auto refused = ctx.limits.postFrom(source)) return sendRefusal(req, *refused);
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
    const auto commitment = token->boundKeyCommitment();
    auto signer = checkPostVapid(local ? local->vapidKey : std::string(), authorization, ctx.audiences, nowUnix(),
                                 commitment);
    if (!signer) return sendProblem(req, signer.error());
    if (!signer->empty())
        if (auto refused = ctx.limits.postSignedBy(*signer)) return sendRefusal(req, *refused);
    if (auto refused = ctx.limits.postTo(token->text())) return sendRefusal(req, *refused);
    if (authorization) envelope->vapid = std::string(*authorization);
    // The device's proxy refuses it through the DHT too (checkEnvelopeVapid): say so now, here
    // or at any node when the token says it is bound (version 3).
    if (((local && !local->vapidKey.empty()) || !commitment.empty()) && envelope->encoding != "aes128gcm")
        return sendProblem(req, makeError(Errc::Invalid,
                                          "this subscription is bound to an application server key and accepts only "
                                          "aes128gcm-encrypted bodies (RFC 8291)"));
    const auto refusedBy = [&req](const node::PublishRefusal& refusal) {
        if (refusal.retryAfter.count() == 0) return sendProblem(req, refusal.error);
        return sendProblem(req, refusal.error, {{"Retry-After", std::to_string(refusal.retryAfter.count())}});
    };
    if (auto refused = ctx.publisher.ready()) return refusedBy(*refused);
    // One source may take only its share of the budget of distinct keys, so that it cannot
    // shut every other sender out of new endpoints for an hour (keys this node watches, as
    // its own subscriptions', take nothing of it).
    if (ctx.publisher.takesNewKey(*token))
        if (auto refused = ctx.limits.newPublishKey(source)) return sendRefusal(req, *refused);
    if (auto refused = ctx.publisher.admit(*token)) return refusedBy(*refused);
    // When this node is the device's proxy it knows the mailbox, so a full one is the
    // sender's error (507) rather than a message dropped later.
    if (local && envelope->ttlSeconds > 0) {
        const auto size = node::encodeEnvelope(*envelope).size();
        if (auto room = ctx.mailbox.checkRoom(local->deviceId, token->text(), envelope->topic, size); !room)
            return sendProblem(req, room.error());
    }
    Headers created{{"Location", ctx.baseUrl + "/m/" + envelope->idText()}, {"TTL", std::to_string(envelope->ttlSeconds)}};
    auto pending = std::make_shared<PendingPost>(ctx.io, req, std::move(created), ctx.limits);
    pending->start(ctx.config.maxPublishWait);
    if (local) {
        // The device's proxy: devices attached here get it at once, and the answer waits for
        // the mailbox's commit. Other proxies watching the token get it through the DHT.
        ctx.hub->deliver(token->text(), *envelope, [pending](LocalOutcome outcome) { pending->decided(outcome); });
        ctx.publisher.publish(*token, *envelope, {});
    } else {
        // Answered when a storing node holds it: the sender then knows the message survives
        // this node, and a sender faster than the DHT is slowed to its pace instead of refused.
        ctx.publisher.publish(*token, *envelope, [pending](bool stored) { pending->published(stored); });
    }
    return restinio::request_accepted();
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
