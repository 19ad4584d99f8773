#pragma once
// The device service's added hop (issue 13): on a local network with two proxies, sequential
// WebPush POSTs (encrypted, RFC 8291) to one proxy, measured from the POST to
//   app   the app's onMessage, through dhtpush-distributor (a process of its own on the
//         session bus the caller provides: scripts/bench starts a private dbus-daemon) and the
//         app library, which decrypts;
//   sse   a device's event stream on the same proxy, decrypting the same way (no distributor).
// Milliseconds, p50/p99 of each, sampled alternately.
#include <json/json.h>

#include <cstddef>

namespace dhtpush::bench {

struct AppHopRun {
    std::size_t samples{300};
};

Json::Value runAppHop(const AppHopRun& run);

}  // namespace dhtpush::bench
