#include "http_response.h"

#include "route_context.h"

#include "problem.h"

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

namespace dhtpush::proxy {
namespace {

restinio::http_status_line_t statusLine(int status) {
    return restinio::http_status_line_t(restinio::http_status_code_t(static_cast<std::uint16_t>(status)),
                                        reasonPhrase(status));
}

// Responses by route and status for /metrics: fixed memory, any thread.
constexpr std::array<const char*, 4> ROUTE_KINDS{"webpush", "device", "message", "other"};
std::array<std::array<std::atomic<std::uint64_t>, 600>, ROUTE_KINDS.size()> responseCounts{};

std::size_t routeKind(const RequestHandle& req) {
    const auto path = req->header().path();
    if (path.rfind("/wp/", 0) == 0) return 0;
    if (path.rfind("/v1/", 0) == 0) return 1;
    if (path.rfind("/m/", 0) == 0) return 2;
    return 3;
}

restinio::request_handling_status_t send(const RequestHandle& req, int status, const char* contentType,
                                         std::string body, const Headers& headers) {
    if (status >= 100 && status < 600) ++responseCounts[routeKind(req)][static_cast<std::size_t>(status)];
    auto response = req->create_response(statusLine(status));
    if (contentType) response.append_header(restinio::http_field::content_type, contentType);
    for (const auto& [name, value] : headers) response.append_header(name, value);
    response.append_header(restinio::http_field::cache_control, "no-store");
    return response.set_body(std::move(body)).done();
}

}  // namespace

void forEachResponseCount(const std::function<void(const char* route, int status, std::uint64_t count)>& visit) {
    for (std::size_t route = 0; route < ROUTE_KINDS.size(); ++route)
        for (std::size_t status = 100; status < 600; ++status)
            if (const auto count = responseCounts[route][status].load())
                visit(ROUTE_KINDS[route], static_cast<int>(status), count);
}

restinio::request_handling_status_t sendJson(const RequestHandle& req, int status, std::string json,
                                             const Headers& headers) {
    return send(req, status, "application/json", std::move(json), headers);
}

restinio::request_handling_status_t sendEmpty(const RequestHandle& req, int status, const Headers& headers) {
    return send(req, status, nullptr, std::string(), headers);
}

restinio::request_handling_status_t sendProblem(const RequestHandle& req, const Error& error, const Headers& headers) {
    const int status = httpStatusFor(error.code);
    // A 503 or 507 is the node protecting itself (overload, a full mailbox): a warning; any
    // other 5xx is a fault.
    if (status >= 500)
        log::sampled(status == 503 || status == 507 ? log::Level::warn : log::Level::err,
                      "answered " + std::to_string(status), error.detail);
    return send(req, status, "application/problem+json", problemJson(status, error), headers);
}

std::optional<std::string_view> headerValue(const RequestHandle& req, std::string_view name) {
    auto value = req->header().opt_value_of(restinio::string_view_t(name.data(), name.size()));
    if (!value) return std::nullopt;
    return std::string_view(value->data(), value->size());
}

}  // namespace dhtpush::proxy

namespace dhtpush::proxy {

restinio::request_handling_status_t sendRefusal(const RequestHandle& req, const Refusal& refusal) {
    return sendProblem(req, refusal.error, {{"Retry-After", std::to_string(refusal.retryAfter.count())}});
}

}  // namespace dhtpush::proxy
