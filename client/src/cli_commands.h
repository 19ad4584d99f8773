#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "dhtpush/client/webpush_sender.h"

namespace dhtpush::client {

int subscribeCommand(const std::string& statePath, const std::vector<std::string>& proxyUrls);
int unsubscribeCommand(const std::string& statePath, const std::string& token);
// count 0: until stopped.
int listenCommand(const std::string& statePath, std::uint32_t count, const std::atomic<bool>& stop);
int sendCommand(const std::string& endpoint, const std::string& message, const PushOptions& options);

}  // namespace dhtpush::client
