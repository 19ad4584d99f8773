#pragma once
// Per-source limits on the HTTP APIs (RFC 8030 §8.4, docs/security.md "Limits"): one
// attacker must not slow or shut out anyone else. Each check takes one unit of a token
// bucket and says, when refused, the 429 to send and its Retry-After. Refusals are counted
// (for /health) and reported on stderr at most once per limit every 10 s with how many
// there were. Not thread-safe: the HTTP thread only.
#include <asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dhtpush/expected.h"
#include "dhtpush/proxy/server.h"
#include "rate_limiter.h"

namespace dhtpush::proxy {

struct Refusal {
    Error error;
    std::chrono::seconds retryAfter;
};

class RequestLimits {
public:
    explicit RequestLimits(const RequestRates& rates = {});

    std::optional<Refusal> attach(const asio::ip::address& source);
    std::optional<Refusal> subscribe(const asio::ip::address& source);
    // A POST from this address, before anything costly is done for it.
    std::optional<Refusal> postFrom(const asio::ip::address& source);
    // A POST to this subscription, once its sender's proof (if any) holds: a stranger refused
    // with 403 must not spend the budget of a bound subscription's app server.
    std::optional<Refusal> postTo(const std::string& token);
    // After the VAPID header verified: a forger cannot spend a real key's budget.
    std::optional<Refusal> postSignedBy(const std::string& vapidKey);
    // An event stream opened by this (authenticated) device.
    std::optional<Refusal> openStream(const std::string& deviceId);
    // A POST to a DHT key this node has not put to lately.
    std::optional<Refusal> newPublishKey(const asio::ip::address& source);
    // Counts a refusal made elsewhere (a node-wide cap) under `limit`.
    void count(const std::string& limit);

    // Refusals so far, by limit name.
    std::map<std::string, std::uint64_t> refusals() const { return refusals_; }

private:
    std::optional<Refusal> take(RateLimiter& limiter, const std::string& key, const char* limit,
                                const std::string& detail);

    RateLimiter attaches_, subscribes_, posts_, perSubscription_, perVapidKey_, newKeys_, streamOpens_;
    std::map<std::string, std::uint64_t> refusals_;
    struct Report {
        std::uint64_t unreported{0};
        RateLimiter::Clock::time_point last{};
    };
    std::map<std::string, Report> reports_;
};

}  // namespace dhtpush::proxy
