#pragma once
// The node's status page (GET /): what it is doing at a glance, for the volunteer who runs it.
// Server-rendered HTML that reads without JavaScript; where JavaScript runs, /status.js
// refreshes the figures every 5 s by fetching the page again. No secret, no token, no
// address of anyone. Pure: the figures come from status_routes.cpp.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "latency_histogram.h"

namespace dhtpush::proxy {

struct StatusFigures {
    bool healthy{false};
    std::string version;
    std::chrono::seconds uptime{0};
    std::string nodeId;
    bool dhtConnected{false};
    unsigned goodNodes{0}, dubiousNodes{0};
    std::uint64_t devices{0}, subscriptions{0}, openStreams{0}, mailboxMessages{0};
    std::optional<double> deliveredPerMinute, publishedPerMinute;  // none until a minute's samples exist
    LatencyHistogram::Snapshot latency;
};

std::string statusPageHtml(const StatusFigures& figures);
// The script the page loads (a file of its own, so that the page's CSP allows no inline script).
const std::string& statusPageScript();

// Messages per minute from counters sampled at each look: over the samples of the last
// minute (at least 5 s of them). Bounded: samples older than a minute are dropped.
class MessageRate {
public:
    using Clock = std::chrono::steady_clock;
    std::optional<double> perMinute(Clock::time_point now, std::uint64_t count);

private:
    std::deque<std::pair<Clock::time_point, std::uint64_t>> samples_;
};

// "≤ 25 ms": the bound of the bucket where the q-quantile falls; "—" without observations.
std::string latencyQuantile(const LatencyHistogram::Snapshot& latency, double q);

}  // namespace dhtpush::proxy
