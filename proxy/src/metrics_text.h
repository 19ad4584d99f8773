#pragma once
// The Prometheus text exposition format (version 0.0.4): families of samples, each family
// with its HELP and TYPE lines once. Pure: /metrics gathers the values (metrics_routes.cpp).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "latency_histogram.h"

namespace dhtpush::proxy {

class MetricsText {
public:
    using Labels = std::vector<std::pair<std::string, std::string>>;

    // A family: `type` is "counter" or "gauge". Samples follow with sample().
    void family(const std::string& name, const char* type, const std::string& help);
    void sample(const std::string& name, double value, const Labels& labels = {});
    // A family of one sample.
    void counter(const std::string& name, const std::string& help, double value) {
        family(name, "counter", help);
        sample(name, value);
    }
    void gauge(const std::string& name, const std::string& help, double value) {
        family(name, "gauge", help);
        sample(name, value);
    }
    void histogram(const std::string& name, const std::string& help, const LatencyHistogram::Snapshot& h);

    const std::string& text() const { return text_; }

private:
    std::string text_;
};

}  // namespace dhtpush::proxy
