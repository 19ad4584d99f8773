#include "metrics_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace dhtpush::proxy {
namespace {

// A label value escaped as the format asks (backslash, double quote, newline).
std::string escaped(const std::string& value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // The shortest of 15 or 17 digits that reads back as the same double (0.1, not 0.10000000000000001).
    char text[32];
    std::snprintf(text, sizeof text, "%.15g", value);
    if (std::strtod(text, nullptr) != value) std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

}  // namespace

void MetricsText::family(const std::string& name, const char* type, const std::string& help) {
    text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void MetricsText::sample(const std::string& name, double value, const Labels& labels) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (std::size_t i = 0; i < labels.size(); ++i)
            text_ += (i ? "," : "") + labels[i].first + "=\"" + escaped(labels[i].second) + "\"";
        text_ += '}';
    }
    text_ += " " + number(value) + "\n";
}

void MetricsText::histogram(const std::string& name, const std::string& help, const LatencyHistogram::Snapshot& h) {
    family(name, "histogram", help);
    for (std::size_t i = 0; i < LatencyHistogram::BOUNDS.size(); ++i)
        sample(name + "_bucket", static_cast<double>(h.cumulative[i]), {{"le", number(LatencyHistogram::BOUNDS[i])}});
    sample(name + "_bucket", static_cast<double>(h.count), {{"le", "+Inf"}});
    sample(name + "_sum", h.sumSeconds);
    sample(name + "_count", static_cast<double>(h.count));
}

}  // namespace dhtpush::proxy
