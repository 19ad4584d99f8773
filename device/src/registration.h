#pragma once
// One app's registration with the distributor.
#include <string>

namespace dhtpush::device {

struct Registration {
    std::string appToken;     // the connector's token (the app chose it)
    std::string service;      // the app's bus name, where its connector is called
    int version{2};           // the Distributor interface it registered with: 1 or 2
    std::string description;  // what the app said it uses push for (may be empty)
    std::string vapidKey;     // the application server key bound to it (may be empty)
    std::string pushToken;    // the subscription on the proxies (never shown to other apps)
    std::string endpoint;     // the WebPush endpoint handed to the app
};

}  // namespace dhtpush::device
