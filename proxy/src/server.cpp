#include "dhtpush/proxy/server.h"

#include <filesystem>

#include "http_response.h"
#include "route_context.h"

namespace dhtpush::proxy {

struct ProxyServer::Impl {
    std::unique_ptr<DeviceStore> store;
    std::unique_ptr<Mailbox> mailbox;
    std::shared_ptr<DeliveryHub> hub;
    std::unique_ptr<RouteContext> context;
    std::shared_ptr<ConnectionCloseListener> listener;
    std::unique_ptr<HttpServer> http;
    std::uint16_t port{0};
    bool stopped{false};
};

namespace {

Expected<std::unique_ptr<DeviceStore>> openStore(const std::string& dataDir) {
    if (dataDir.empty()) return DeviceStore::open(":memory:");
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    if (ec) return makeError(Errc::Unavailable, "cannot create data folder " + dataDir + ": " + ec.message());
    return DeviceStore::open((std::filesystem::path(dataDir) / "proxy.sqlite").string());
}

std::unique_ptr<Router> makeRouter(RouteContext& context) {
    auto router = std::make_unique<Router>();
    addWebPushRoutes(*router, context);
    addDeviceRoutes(*router, context);
    addHealthRoutes(*router, context);
    router->non_matched_request_handler([](const RequestHandle& req) {
        return sendProblem(req, makeError(Errc::NotFound, "no such resource"));
    });
    return router;
}

std::string defaultBaseUrl(const std::string& address, std::uint16_t port) {
    const bool v6 = address.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

ProxyServer::ProxyServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProxyServer::~ProxyServer() { stop(); }

Expected<std::unique_ptr<ProxyServer>> ProxyServer::start(asio::io_context& io, node::PushNetwork& network,
                                                          ProxyConfig config) {
    auto impl = std::make_unique<Impl>();
    auto store = openStore(config.dataDir);
    if (!store) return store.error();
    impl->store = std::move(*store);
    impl->mailbox = std::make_unique<Mailbox>(
        impl->store->database(),
        MailboxLimits{config.mailboxMessages, config.mailboxBytes, config.subscriptionMessages, config.subscriptionBytes,
                      std::chrono::duration_cast<std::chrono::milliseconds>(config.valueExpiration).count() + 60000});
    impl->hub = std::make_shared<DeliveryHub>(io, network, *impl->mailbox, HubLimits{config.keepAlive, config.valueExpiration});
    impl->context = std::make_unique<RouteContext>(
        RouteContext{config, {}, network, *impl->store, *impl->mailbox, impl->hub});
    impl->listener = std::make_shared<ConnectionCloseListener>();
    std::weak_ptr<DeliveryHub> weakHub = impl->hub;
    impl->listener->onClosed = [weakHub](ConnectionId id) {
        if (auto hub = weakHub.lock()) hub->connectionClosed(id);
    };

    auto& port = impl->port;
    try {
        impl->http = std::make_unique<HttpServer>(
            restinio::external_io_context(io),
            restinio::server_settings_t<ProxyTraits>()
                .address(config.httpAddress)
                .port(config.httpPort)
                .request_handler(makeRouter(*impl->context))
                .connection_state_listener(impl->listener)
                .max_parallel_connections(config.maxConnections)
                .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                              .max_url_size(4096)
                                              .max_field_count(100)
                                              .max_field_name_size(256)
                                              .max_field_value_size(8192)
                                              // Bodies between 4096 bytes and this get a 413 problem;
                                              // beyond it restinio closes the connection.
                                              .max_body_size(1024 * 1024))
                // Event streams write at least every keep-alive interval; a stream is a request
                // that is never finished, so the handling timeout must exceed that interval.
                .handle_request_timeout(config.keepAlive * 4)
                .read_next_http_message_timelimit(std::chrono::seconds(60))
                // Events are small writes that must leave at once, not wait for Nagle.
                .socket_options_setter([](auto& options) { options.set_option(asio::ip::tcp::no_delay{true}); })
                .acceptor_post_bind_hook([&port](asio::ip::tcp::acceptor& acceptor) {
                    port = acceptor.local_endpoint().port();
                }));
        impl->http->open_sync();
    } catch (const std::exception& ex) {
        return makeError(Errc::Unavailable, "cannot listen on " + config.httpAddress + ":" +
                                                std::to_string(config.httpPort) + ": " + ex.what());
    }
    impl->context->baseUrl = config.publicUrl.empty() ? defaultBaseUrl(config.httpAddress, port) : config.publicUrl;
    while (!impl->context->baseUrl.empty() && impl->context->baseUrl.back() == '/') impl->context->baseUrl.pop_back();

    impl->hub->start();
    auto subscriptions = impl->store->allSubscriptions();
    if (!subscriptions) return subscriptions.error();
    for (const auto& record : *subscriptions) impl->hub->watch(record.token, record.deviceId, record.vapidKey);
    return std::unique_ptr<ProxyServer>(new ProxyServer(std::move(impl)));
}

std::uint16_t ProxyServer::port() const { return impl_->port; }

std::string ProxyServer::baseUrl() const { return impl_->context->baseUrl; }

void ProxyServer::stop() {
    if (impl_->stopped) return;
    impl_->stopped = true;
    impl_->hub->stop();
    impl_->http->close_async([] {}, [](std::exception_ptr) {});
}

}  // namespace dhtpush::proxy
