#include "request_limits.h"

#include "dhtpush/node/log.h"

#include "client_address.h"

namespace dhtpush::proxy {
namespace {

constexpr auto REPORT_INTERVAL = std::chrono::seconds(10);

// A bucket that holds two seconds' worth: a burst, then the rate.
RateLimiter bucket(double perSecond) { return RateLimiter(perSecond, perSecond * 2); }

}  // namespace

RequestLimits::RequestLimits(const RequestRates& r)
    : attaches_(RateLimiter(r.attachesPerMinute / 60, r.attachesPerMinute * 2)),
      subscribes_(RateLimiter(r.subscribesPerMinute / 60, r.subscribesPerMinute * 2)),
      posts_(bucket(r.postsPerSecond)), perSubscription_(RateLimiter(r.postsPerSubscription, r.postsPerSubscription * 10)),
      perVapidKey_(bucket(r.postsPerVapidKey)),
      newKeys_(RateLimiter(r.newPublishKeysPerHour / 3600, r.newPublishKeysPerHour)),
      streamOpens_(RateLimiter(r.streamOpensPerMinute / 60, r.streamOpensPerMinute * 2)) {}

std::optional<Refusal> RequestLimits::take(RateLimiter& limiter, const std::string& key, const char* limit,
                                           const std::string& detail) {
    auto wait = limiter.take(key, RateLimiter::Clock::now());
    if (!wait) return std::nullopt;
    count(limit);
    return Refusal{makeError(Errc::QuotaExceeded, detail), *wait};
}

void RequestLimits::count(const std::string& limit) {
    ++refusals_[limit];
    auto& report = reports_[limit];
    ++report.unreported;
    const auto now = RateLimiter::Clock::now();
    if (now - report.last < REPORT_INTERVAL) return;  // sampled: a flood is one line per 10 s
    log::warn("refused {} request(s) over the limit '{}' since the last report", report.unreported, limit);
    report.unreported = 0;
    report.last = now;
}

std::optional<Refusal> RequestLimits::attach(const asio::ip::address& source) {
    if (isExemptSource(source)) return std::nullopt;
    return take(attaches_, sourceKey(source), "attaches_per_address",
                "too many devices attached from this address lately; retry later");
}

std::optional<Refusal> RequestLimits::subscribe(const asio::ip::address& source) {
    if (isExemptSource(source)) return std::nullopt;
    return take(subscribes_, sourceKey(source), "subscribes_per_address",
                "too many subscriptions made from this address lately; retry later");
}

std::optional<Refusal> RequestLimits::postFrom(const asio::ip::address& source) {
    if (isExemptSource(source)) return std::nullopt;
    return take(posts_, sourceKey(source), "posts_per_address",
                "too many messages from this address; retry later (RFC 8030 §8.4)");
}

std::optional<Refusal> RequestLimits::postTo(const std::string& token) {
    return take(perSubscription_, token, "posts_per_subscription",
                "too many messages for this subscription; retry later (RFC 8030 §8.4)");
}

std::optional<Refusal> RequestLimits::postSignedBy(const std::string& vapidKey) {
    return take(perVapidKey_, vapidKey, "posts_per_vapid_key",
                "too many messages signed by this application server key; retry later (RFC 8030 §8.4)");
}

std::optional<Refusal> RequestLimits::openStream(const std::string& deviceId) {
    return take(streamOpens_, deviceId, "stream_opens_per_device",
                "this device opened too many event streams lately; retry later");
}

std::optional<Refusal> RequestLimits::newPublishKey(const asio::ip::address& source) {
    if (isExemptSource(source)) return std::nullopt;
    return take(newKeys_, sourceKey(source), "new_publish_keys_per_address",
                "this address sent to too many distinct endpoints lately; retry later or at another node");
}

}  // namespace dhtpush::proxy
