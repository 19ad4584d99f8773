#include "status_page.h"

#include <catch2/catch.hpp>

using namespace dhtpush::proxy;
using namespace std::chrono_literals;

TEST_CASE("messages per minute come from the last minute's samples, once 5 s of them exist", "[proxy][status]") {
    MessageRate rate;
    const MessageRate::Clock::time_point t0{};
    CHECK_FALSE(rate.perMinute(t0 + 1h, 100).has_value());   // one sample: nothing yet
    CHECK_FALSE(rate.perMinute(t0 + 1h + 3s, 110).has_value());
    const auto after10s = rate.perMinute(t0 + 1h + 10s, 120);  // 20 in 10 s
    REQUIRE(after10s.has_value());
    CHECK(*after10s == Approx(120.0));
    // Samples older than a minute go: the rate is the last minute's.
    const auto later = rate.perMinute(t0 + 1h + 100s, 180);
    CHECK_FALSE(later.has_value());  // all earlier samples were over a minute old
    CHECK(*rate.perMinute(t0 + 1h + 130s, 240) == Approx(120.0));
}

TEST_CASE("the latency shown is the bucket bound where the quantile falls", "[proxy][status]") {
    LatencyHistogram h;
    CHECK(latencyQuantile(h.snapshot(), 0.5) == "—");
    for (int i = 0; i < 98; ++i) h.observe(0.004);
    h.observe(0.2);
    h.observe(30);
    CHECK(latencyQuantile(h.snapshot(), 0.5) == "≤ 5 ms");
    CHECK(latencyQuantile(h.snapshot(), 0.99) == "≤ 250 ms");
    CHECK(latencyQuantile(h.snapshot(), 1.0) == "> 10 s");
}

TEST_CASE("the status page shows its figures, escaped, and loads only its own script", "[proxy][status]") {
    StatusFigures f;
    f.healthy = false;
    f.version = "0.1.0";
    f.nodeId = "<script>alert(1)</script>";
    f.subscriptions = 1000000;
    f.deliveredPerMinute = 12.5;
    const auto html = statusPageHtml(f);
    CHECK(html.find("<strong id=\"status\" class=\"degraded\">degraded</strong>") != std::string::npos);
    CHECK(html.find("<td id=\"subscriptions\">1000000</td>") != std::string::npos);
    CHECK(html.find("<td id=\"delivered-rate\">12.5</td>") != std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("<script>alert") == std::string::npos);
    CHECK(html.find("<script src=\"/status.js\" defer></script>") != std::string::npos);
    CHECK(statusPageScript().find("setInterval(refresh, 5000)") != std::string::npos);
}
