#pragma once
// Token buckets by key (a source address, a subscription token, a VAPID key): each key may
// take `ratePerSecond` units a second, and up to `burst` at once. At most `maxKeys` buckets
// are kept: the least recently used one is forgotten, and starts full if it comes back
// (bounded memory; a source cycling through more keys than that gains only what the
// forgotten buckets held). Not thread-safe: the HTTP thread only.
#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace dhtpush::proxy {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // ratePerSecond 0: no limit.
    RateLimiter(double ratePerSecond, double burst, std::size_t maxKeys = 100000);
    // The index points into the list: a copy would point into the original.
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;
    RateLimiter(RateLimiter&&) = default;
    RateLimiter& operator=(RateLimiter&&) = default;

    // Takes one unit for `key`: nullopt when it may go now, else how long until one is there
    // (whole seconds, at least 1: the Retry-After).
    std::optional<std::chrono::seconds> take(const std::string& key, Clock::time_point now);
    // Whether `key` could take a unit now, taking nothing.
    bool ready(const std::string& key, Clock::time_point now) const;
    std::size_t size() const { return index_.size(); }

private:
    struct Bucket {
        std::string key;
        double tokens;
        Clock::time_point at;
    };

    double rate_, burst_;
    std::size_t maxKeys_;
    std::list<Bucket> byUse_;  // least recently used first
    std::unordered_map<std::string, std::list<Bucket>::iterator> index_;
};

}  // namespace dhtpush::proxy
