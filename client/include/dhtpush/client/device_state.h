#pragma once
// What a device remembers between runs: its accounts on proxies and its subscriptions.
// Kept as JSON in a file only the user can read (it holds secrets).
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/expected.h"

namespace dhtpush::client {

struct ProxyAccount {
    std::string url;       // base URL of the proxy, no trailing slash
    std::string deviceId;
    std::string secret;
};

struct Subscription {
    std::string token;
    std::string endpoint;
    std::string proxyUrl;
    std::string p256dh;
    std::string auth;
    std::string privateKey;
    // Every proxy that watches this token (proxyUrl first); a device on two proxies keeps
    // receiving when one of them is down.
    std::vector<std::string> proxyUrls;
    // The application server key bound at subscribing (base64url), bound again at a proxy
    // that replaces one; empty: none.
    std::string vapidKey{};

    std::vector<std::string> allProxies() const;
};

struct DeviceState {
    std::vector<ProxyAccount> proxies;
    std::vector<Subscription> subscriptions;
    // The nodes `subscribe --discover` was given: where the device looks for proxies again
    // (besides its own proxies' directories) when one must be replaced.
    std::vector<std::string> discoveryUrls{};

    const ProxyAccount* findProxy(const std::string& url) const;
    const Subscription* findSubscription(const std::string& token) const;
};

// $DHTPUSH_STATE, else $XDG_CONFIG_HOME/dhtpush/device.json, else ~/.config/dhtpush/device.json.
std::string defaultStatePath();
// A missing file is an empty state; a corrupt one is an error (never silently replaced).
Expected<DeviceState> loadDeviceState(const std::string& path);
// Writes atomically (temporary file, then rename) with mode 0600.
Status saveDeviceState(const std::string& path, const DeviceState& state);

}  // namespace dhtpush::client
