#pragma once
#include <asio/io_context.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "delivery_hub.h"
#include "device_store.h"
#include "mailbox.h"
#include "status_page.h"
#include "dhtpush/node/push_network.h"
#include "dhtpush/node/token_publisher.h"
#include "dhtpush/proxy/server.h"
#include "http_types.h"
#include "request_limits.h"
#include "stream_connection.h"

namespace dhtpush::proxy {

// What the routes share. Owned by the server; outlives every request.
struct RouteContext {
    ProxyConfig config;
    std::string baseUrl;
    // The origins this node answers as (baseUrl's first, then its listeners'): the VAPID
    // audiences it accepts (vapid_check.h).
    std::vector<std::string> audiences;
    node::PushNetwork& network;
    DeviceStore& store;
    Mailbox& mailbox;
    std::shared_ptr<DeliveryHub> hub;
    asio::io_context& io;
    std::vector<crypto::Bytes> inboxes;  // ids of this proxy's inboxes (ProxyConfig::inboxes)
    node::TokenPublisher publisher;      // of the POST handler's thread
    std::shared_ptr<ConnectionGuard> guard{};  // for /health; set once the listeners exist
    RequestLimits limits{};                    // per-source rates (config.rates)
    std::set<crypto::DhtKey> inboxKeys{};      // the DHT keys of `inboxes`: listened to anyway
    // The status page's uptime and message rates (status_page.h); the HTTP thread's only.
    std::chrono::steady_clock::time_point started{std::chrono::steady_clock::now()};
    MessageRate deliveredRate{}, publishedRate{};
};

// The address a request came from.
inline asio::ip::address sourceOf(const RequestHandle& req) { return req->remote_endpoint().address(); }

// A 429 (or other refusal) with its Retry-After.
restinio::request_handling_status_t sendRefusal(const RequestHandle& req, const Refusal& refusal);

void addWebPushRoutes(Router& router, RouteContext& context);
// connectionTag is set on the connection ids of event streams, as the listener's
// ConnectionCloseListener reports them (HTTPS_CONNECTION_TAG for the HTTPS listener), and
// `take` takes a stream's socket from that listener's connection type (stream_connection.h).
void addDeviceRoutes(Router& router, RouteContext& context, ConnectionId connectionTag, StreamTaker take);
void addHealthRoutes(Router& router, RouteContext& context);
void addMetricsRoutes(Router& router, RouteContext& context);
void addStatusRoutes(Router& router, RouteContext& context);
void addDirectoryRoutes(Router& router, RouteContext& context);

}  // namespace dhtpush::proxy
