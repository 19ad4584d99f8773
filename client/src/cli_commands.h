#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dhtpush/client/webpush_sender.h"

namespace dhtpush::client {

struct DiscoverOptions {
    std::vector<std::string> nodeUrls;  // nodes whose proxy directory to ask; none: no discovery
    std::size_t proxies{2};             // how many proxies a subscription gets
};

// At the given proxies, or at `discover.proxies` found through the directory (proxyUrls then
// unused). vapidKey: the application server key to bind (base64url), empty for none.
int subscribeCommand(const std::string& statePath, std::vector<std::string> proxyUrls, const DiscoverOptions& discover,
                     const std::string& vapidKey);
int unsubscribeCommand(const std::string& statePath, const std::string& token);
// count 0: until stopped. A proxy unreachable for healAfter (0: never) is replaced by a fresh
// one from the proxy directory, and the endpoints that change are printed as events.
int listenCommand(const std::string& statePath, std::uint32_t count, std::chrono::seconds healAfter,
                  const std::atomic<bool>& stop);
int sendCommand(const std::string& endpoint, const std::string& message, const PushOptions& options);

}  // namespace dhtpush::client
