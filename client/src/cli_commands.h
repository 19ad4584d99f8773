#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "dhtpush/client/webpush_sender.h"

namespace dhtpush::client {

// vapidKey: the application server key to bind (base64url), empty for none.
int subscribeCommand(const std::string& statePath, const std::vector<std::string>& proxyUrls,
                     const std::string& vapidKey);
int unsubscribeCommand(const std::string& statePath, const std::string& token);
// count 0: until stopped.
int listenCommand(const std::string& statePath, std::uint32_t count, const std::atomic<bool>& stop);
int sendCommand(const std::string& endpoint, const std::string& message, const PushOptions& options);

}  // namespace dhtpush::client
