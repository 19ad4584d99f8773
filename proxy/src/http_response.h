#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/log.h"
#include "http_types.h"

namespace dhtpush::proxy {

using Headers = std::vector<std::pair<std::string, std::string>>;

restinio::request_handling_status_t sendJson(const RequestHandle& req, int status, std::string json,
                                             const Headers& headers = {});
restinio::request_handling_status_t sendEmpty(const RequestHandle& req, int status, const Headers& headers = {});
// application/problem+json with the status httpStatusFor(error.code).
restinio::request_handling_status_t sendProblem(const RequestHandle& req, const Error& error,
                                                const Headers& headers = {});

std::optional<std::string_view> headerValue(const RequestHandle& req, std::string_view name);

// Every response sent through this file, counted by route ("webpush" /wp/, "device" /v1/,
// "message" /m/, "other") and status since the process started (for /metrics).
void forEachResponseCount(const std::function<void(const char* route, int status, std::uint64_t count)>& visit);

// Runs a route; a stray exception becomes a 500 problem instead of leaving restinio, and its
// cause a (sampled) line.
template <class Handler>
auto guarded(Handler handler) {
    return [handler = std::move(handler)](const RequestHandle& req, RouteParams params) {
        try {
            return handler(req, std::move(params));
        } catch (const std::exception& ex) {
            log::sampled(log::Level::err, "route threw", ex.what());
            return sendProblem(req, makeError(Errc::Internal, "internal error"));
        }
    };
}

}  // namespace dhtpush::proxy
