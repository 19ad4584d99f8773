#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace dhtpush::proxy {

RateLimiter::RateLimiter(double ratePerSecond, double burst, std::size_t maxKeys)
    : rate_(ratePerSecond), burst_(std::max(1.0, burst)), maxKeys_(std::max<std::size_t>(1, maxKeys)) {}

std::optional<std::chrono::seconds> RateLimiter::take(const std::string& key, Clock::time_point now) {
    if (rate_ <= 0) return std::nullopt;
    auto found = index_.find(key);
    if (found == index_.end()) {
        if (index_.size() >= maxKeys_) {
            index_.erase(byUse_.front().key);
            byUse_.pop_front();
        }
        byUse_.push_back({key, burst_, now});
        found = index_.emplace(key, std::prev(byUse_.end())).first;
    } else {
        byUse_.splice(byUse_.end(), byUse_, found->second);  // most recently used last
    }
    auto& bucket = *found->second;
    const std::chrono::duration<double> elapsed = now - bucket.at;
    bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed.count()) * rate_);
    bucket.at = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::nullopt;
    }
    const auto wait = std::ceil((1.0 - bucket.tokens) / rate_);
    return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(wait)));
}

bool RateLimiter::ready(const std::string& key, Clock::time_point now) const {
    if (rate_ <= 0) return true;
    const auto found = index_.find(key);
    if (found == index_.end()) return true;  // a new bucket starts full
    const auto& bucket = *found->second;
    const std::chrono::duration<double> elapsed = now - bucket.at;
    return std::min(burst_, bucket.tokens + std::max(0.0, elapsed.count()) * rate_) >= 1.0;
}

}  // namespace dhtpush::proxy
