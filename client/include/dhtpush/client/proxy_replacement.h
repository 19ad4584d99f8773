#pragma once
// A device that heals: a proxy that stayed unreachable is replaced by a fresh one from the
// proxy directory, for every subscription it watched. The token stays (a version-1 token is
// watched by any proxy), so messages already in the DHT reach the new proxy too; the endpoint
// changes where it was the dead proxy's, and the app must be told.
#include <functional>
#include <string>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "dhtpush/expected.h"

namespace dhtpush::client {

struct EndpointChange {
    std::string token;
    std::string oldEndpoint;
    std::string newEndpoint;
};

struct Replacement {
    std::string deadUrl;
    std::string newUrl;
    std::vector<EndpointChange> endpoints;  // subscriptions whose endpoint was on the dead proxy
    std::size_t moved{0};                   // subscriptions now watched by the new proxy
    // Tokens a second proxy cannot watch (an inbox token, made with one proxy): the app must
    // subscribe again.
    std::vector<std::string> stranded;
};

// Where to ask for a replacement: the device's other proxies, then the nodes it discovered
// through.
std::vector<std::string> directoryNodes(const DeviceState& state, const std::string& except);

// Attaches to a proxy not in `state` (found through directoryNodes) and moves there every
// subscription that lists deadUrl; `save` is called after every step a proxy now knows of
// (its secret must not be lost). The dead proxy's account stays: its mailbox may still hold
// messages, taken when it answers again. NotFound when no fresh healthy proxy is listed.
Expected<Replacement> replaceProxy(DeviceState& state, const std::string& deadUrl,
                                   const std::function<Status(const DeviceState&)>& save);

}  // namespace dhtpush::client
