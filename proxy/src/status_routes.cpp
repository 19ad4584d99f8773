// GET / (the status page) and GET /status.js (its refresh script): status_page.h.
#include "http_response.h"
#include "route_context.h"
#include "status_page.h"

namespace dhtpush::proxy {
namespace {

// No script but /status.js, no request but to this node, styles inline only: the page can
// load nothing from anywhere else.
constexpr const char* PAGE_POLICY =
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:";

restinio::request_handling_status_t sendText(const RequestHandle& req, const char* type, std::string body) {
    auto response = req->create_response();
    response.append_header(restinio::http_field::content_type, type);
    response.append_header(restinio::http_field::cache_control, "no-store");
    response.append_header("Content-Security-Policy", PAGE_POLICY);
    response.append_header("X-Content-Type-Options", "nosniff");
    return response.set_body(std::move(body)).done();
}

}  // namespace

void addStatusRoutes(Router& router, RouteContext& ctx) {
    router.http_get("/", guarded([&ctx](const RequestHandle& req, RouteParams) {
                        const auto dht = ctx.network.status();
                        const auto& counters = ctx.hub->counters();
                        const auto now = MessageRate::Clock::now();
                        StatusFigures f;
                        f.healthy = dht.running && (dht.connected || ctx.config.standalone);
                        f.version = DHTPUSH_VERSION;
                        f.uptime = std::chrono::duration_cast<std::chrono::seconds>(now - ctx.started);
                        f.nodeId = dht.nodeId;
                        f.dhtConnected = dht.connected;
                        f.goodNodes = dht.goodNodes;
                        f.dubiousNodes = dht.dubiousNodes;
                        f.devices = ctx.store.deviceTotal();
                        f.subscriptions = ctx.store.subscriptionTotal();
                        f.openStreams = ctx.hub->openStreams();
                        if (auto totals = ctx.mailbox.totals()) f.mailboxMessages = static_cast<std::uint64_t>(totals->messages);
                        f.deliveredPerMinute = ctx.deliveredRate.perMinute(now, counters.delivered.load());
                        f.publishedPerMinute = ctx.publishedRate.perMinute(now, dht.messagesPublished);
                        f.latency = ctx.hub->deliveryLatency().snapshot();
                        return sendText(req, "text/html; charset=utf-8", statusPageHtml(f));
                    }));
    router.http_get("/status.js", guarded([](const RequestHandle& req, RouteParams) {
                        return sendText(req, "text/javascript; charset=utf-8", statusPageScript());
                    }));
}

}  // namespace dhtpush::proxy
