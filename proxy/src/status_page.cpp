#include "status_page.h"

#include <cmath>
#include <cstdio>

namespace dhtpush::proxy {
namespace {

std::string escaped(const std::string& text) {
    std::string out;
    for (const char c : text) switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    return out;
}

std::string duration(std::chrono::seconds s) {
    const auto total = s.count();
    char text[48];
    if (total >= 86400)
        std::snprintf(text, sizeof text, "%lld d %lld h", static_cast<long long>(total / 86400),
                      static_cast<long long>(total % 86400 / 3600));
    else if (total >= 3600)
        std::snprintf(text, sizeof text, "%lld h %lld min", static_cast<long long>(total / 3600),
                      static_cast<long long>(total % 3600 / 60));
    else
        std::snprintf(text, sizeof text, "%lld min %lld s", static_cast<long long>(total / 60),
                      static_cast<long long>(total % 60));
    return text;
}

std::string rate(const std::optional<double>& perMinute) {
    if (!perMinute) return "— (measuring)";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", *perMinute);
    return text;
}

std::string row(const char* id, const char* label, const std::string& value) {
    return std::string("<tr><th>") + label + "</th><td id=\"" + id + "\">" + escaped(value) + "</td></tr>\n";
}

}  // namespace

std::optional<double> MessageRate::perMinute(Clock::time_point now, std::uint64_t count) {
    while (!samples_.empty() && now - samples_.front().first > std::chrono::minutes(1)) samples_.pop_front();
    std::optional<double> result;
    if (!samples_.empty() && now - samples_.front().first >= std::chrono::seconds(5)) {
        const double seconds = std::chrono::duration<double>(now - samples_.front().first).count();
        result = static_cast<double>(count - samples_.front().second) * 60.0 / seconds;
    }
    // One sample a second at most: a page reloaded in a loop keeps a few dozen.
    if (samples_.empty() || now - samples_.back().first >= std::chrono::seconds(1)) samples_.emplace_back(now, count);
    return result;
}

std::string latencyQuantile(const LatencyHistogram::Snapshot& latency, double q) {
    if (latency.count == 0) return "—";
    const auto wanted = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(latency.count)));
    for (std::size_t i = 0; i < LatencyHistogram::BOUNDS.size(); ++i)
        if (latency.cumulative[i] >= wanted) {
            char text[32];
            std::snprintf(text, sizeof text, "≤ %g ms", LatencyHistogram::BOUNDS[i] * 1000);
            return text;
        }
    char text[32];
    std::snprintf(text, sizeof text, "> %g s", LatencyHistogram::BOUNDS.back());
    return text;
}

std::string statusPageHtml(const StatusFigures& f) {
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>dhtpush node</title>\n<link rel=\"icon\" href=\"data:,\">\n"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:44em;color:#222}"
        "th{text-align:left;font-weight:normal;color:#555;padding:.25em 1.5em .25em 0}"
        "td{font-variant-numeric:tabular-nums}.ok{color:#17663a}.degraded{color:#a12}"
        "footer{margin-top:2em;color:#777;font-size:.9em}</style>\n"
        "<script src=\"/status.js\" defer></script>\n</head>\n<body>\n<h1>dhtpush node</h1>\n";
    html += std::string("<p>Status: <strong id=\"status\" class=\"") + (f.healthy ? "ok\">ok" : "degraded\">degraded") +
            "</strong></p>\n<table id=\"figures\">\n";
    html += row("dht", "DHT", std::string(f.dhtConnected ? "connected" : "not connected") + ", " +
                                  std::to_string(f.goodNodes) + " good and " + std::to_string(f.dubiousNodes) +
                                  " dubious peers");
    html += row("devices", "Devices attached", std::to_string(f.devices));
    html += row("streams", "Devices connected now", std::to_string(f.openStreams));
    html += row("subscriptions", "Subscriptions", std::to_string(f.subscriptions));
    html += row("delivered-rate", "Messages delivered a minute", rate(f.deliveredPerMinute));
    html += row("published-rate", "Messages sent into the DHT a minute", rate(f.publishedPerMinute));
    html += row("latency", "Delivery latency, median / 99 %",
                latencyQuantile(f.latency, 0.5) + " / " + latencyQuantile(f.latency, 0.99));
    html += row("mailbox", "Messages waiting in mailboxes", std::to_string(f.mailboxMessages));
    html += row("uptime", "Up for", duration(f.uptime));
    html += row("version", "Version", f.version);
    html += row("node-id", "DHT node id", f.nodeId);
    html += "</table>\n<footer>Machine-readable: <a href=\"/health\">/health</a>, "
            "<a href=\"/metrics\">/metrics</a> (Prometheus).</footer>\n</body>\n</html>\n";
    return html;
}

const std::string& statusPageScript() {
    static const std::string script = R"(// Refreshes the status page's figures every 5 s by fetching the page again.
"use strict";
async function refresh() {
  try {
    const response = await fetch(location.pathname, {cache: "no-store"});
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ["status", "figures"]) {
      const fresh = page.getElementById(id), shown = document.getElementById(id);
      if (fresh && shown) { shown.replaceWith(fresh); }
    }
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch (e) {
    // The node is away for a moment: keep what is shown and try again at the next tick.
  }
}
setInterval(refresh, 5000);
)";
    return script;
}

}  // namespace dhtpush::proxy
