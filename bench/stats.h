#pragma once
// Percentiles and JSON for benchmark samples.
#include <json/json.h>

#include <algorithm>
#include <string>
#include <vector>

namespace dhtpush::bench {

struct Summary {
    std::size_t count{0};
    double p50{0}, p90{0}, p99{0}, max{0}, mean{0};
};

inline double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)];
}

inline Summary summarize(std::vector<double> samples) {
    Summary s;
    std::sort(samples.begin(), samples.end());
    s.count = samples.size();
    if (samples.empty()) return s;
    s.p50 = percentile(samples, 50);
    s.p90 = percentile(samples, 90);
    s.p99 = percentile(samples, 99);
    s.max = samples.back();
    double total = 0;
    for (double v : samples) total += v;
    s.mean = total / static_cast<double>(samples.size());
    return s;
}

inline Json::Value toJson(const Summary& s) {
    Json::Value v(Json::objectValue);
    v["samples"] = Json::UInt64(s.count);
    v["p50"] = s.p50;
    v["p90"] = s.p90;
    v["p99"] = s.p99;
    v["max"] = s.max;
    v["mean"] = s.mean;
    return v;
}

}  // namespace dhtpush::bench
