#pragma once
#include <memory>
#include <string>

#include "delivery_hub.h"
#include "device_store.h"
#include "mailbox.h"
#include "dhtpush/node/push_network.h"
#include "dhtpush/proxy/server.h"
#include "http_types.h"

namespace dhtpush::proxy {

// What the routes share. Owned by the server; outlives every request.
struct RouteContext {
    ProxyConfig config;
    std::string baseUrl;
    node::PushNetwork& network;
    DeviceStore& store;
    Mailbox& mailbox;
    std::shared_ptr<DeliveryHub> hub;
};

void addWebPushRoutes(Router& router, RouteContext& context);
void addDeviceRoutes(Router& router, RouteContext& context);
void addHealthRoutes(Router& router, RouteContext& context);

}  // namespace dhtpush::proxy
