#include "metrics_text.h"

#include <catch2/catch.hpp>

using dhtpush::proxy::LatencyHistogram;
using dhtpush::proxy::MetricsText;

TEST_CASE("a metric family has its HELP and TYPE once, then its samples with escaped labels", "[proxy][metrics]") {
    MetricsText m;
    m.family("dhtpush_refusals_total", "counter", "Requests refused");
    m.sample("dhtpush_refusals_total", 3, {{"limit", "posts_per_address"}});
    m.sample("dhtpush_refusals_total", 1, {{"limit", "a \"quoted\\ one\nhere"}});
    m.gauge("dhtpush_open_streams", "Event streams open now", 0.1);
    CHECK(m.text() ==
          "# HELP dhtpush_refusals_total Requests refused\n"
          "# TYPE dhtpush_refusals_total counter\n"
          "dhtpush_refusals_total{limit=\"posts_per_address\"} 3\n"
          "dhtpush_refusals_total{limit=\"a \\\"quoted\\\\ one\\nhere\"} 1\n"
          "# HELP dhtpush_open_streams Event streams open now\n"
          "# TYPE dhtpush_open_streams gauge\n"
          "dhtpush_open_streams 0.1\n");
}

TEST_CASE("a latency histogram is cumulative, with +Inf, a sum and a count", "[proxy][metrics]") {
    LatencyHistogram h;
    h.observe(0.0005);  // first bucket
    h.observe(0.003);   // le 0.005
    h.observe(0.003);
    h.observe(60);      // past the last bound: +Inf only
    h.observe(-1);      // a clock a little behind: counted as 0
    const auto s = h.snapshot();
    CHECK(s.count == 5);
    CHECK(s.cumulative[0] == 2);  // 0.0005 and the negative one
    CHECK(s.cumulative[2] == 4);  // <= 0.005
    CHECK(s.cumulative.back() == 4);
    CHECK(s.sumSeconds == Approx(60.0065));
    MetricsText m;
    m.histogram("d_seconds", "Waits", s);
    const auto& text = m.text();
    CHECK(text.find("# TYPE d_seconds histogram\n") != std::string::npos);
    CHECK(text.find("d_seconds_bucket{le=\"0.001\"} 2\n") != std::string::npos);
    CHECK(text.find("d_seconds_bucket{le=\"10\"} 4\n") != std::string::npos);
    CHECK(text.find("d_seconds_bucket{le=\"+Inf\"} 5\n") != std::string::npos);
    CHECK(text.find("d_seconds_count 5\n") != std::string::npos);
}
