#include "dhtpush/proxy/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>

#include "dhtpush/crypto/inbox_placement.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/node/private_files.h"
#include "dhtpush/node/url_origin.h"
#include "directory_announcer.h"
#include "file_budget.h"
#include "http_response.h"
#include "https_listener.h"
#include "io_context_keeper.h"
#include "listener_settings.h"
#include "route_context.h"

namespace dhtpush::proxy {

struct ProxyServer::Impl {
    std::unique_ptr<DeviceStore> store;
    std::unique_ptr<Mailbox> mailbox;
    std::shared_ptr<DeliveryHub> hub;
    std::unique_ptr<RouteContext> context;
    std::shared_ptr<ConnectionGuard> guard;
    std::shared_ptr<ConnectionCloseListener> listener;
    std::shared_ptr<AcceptWatch> httpWatch;
    std::unique_ptr<HttpServer> http;
    std::unique_ptr<HttpsListener> https;  // null when HTTPS is off
    std::shared_ptr<DirectoryAnnouncer> announcer;
    std::uint16_t port{0};
    bool stopped{false};
    asio::io_context* io{nullptr};
};

namespace {

Expected<std::unique_ptr<DeviceStore>> openStore(const std::string& dataDir) {
    if (dataDir.empty()) return DeviceStore::open(":memory:");
    // It holds device secrets' hashes, tokens, bindings and message bodies: the owner's only.
    if (auto made = node::createPrivateDirectory(dataDir); !made) return made.error();
    const auto path = (std::filesystem::path(dataDir) / "proxy.sqlite").string();
    if (auto created = node::ensurePrivateFile(path); !created) return created.error();
    for (const char* suffix : {"-wal", "-shm"})  // left by an older version with another mode
        if (std::filesystem::exists(path + suffix))
            if (auto tightened = node::ensurePrivateFile(path + suffix); !tightened) return tightened.error();
    return DeviceStore::open(path);
}

// One router per listener; connectionTag marks that listener's connection ids, and `take`
// takes an event stream's socket from its connections.
std::unique_ptr<Router> makeRouter(RouteContext& context, ConnectionId connectionTag, StreamTaker take) {
    auto router = std::make_unique<Router>();
    addWebPushRoutes(*router, context);
    addDeviceRoutes(*router, context, connectionTag, take);
    addHealthRoutes(*router, context);
    addMetricsRoutes(*router, context);
    addStatusRoutes(*router, context);
    addDirectoryRoutes(*router, context);
    router->non_matched_request_handler([](const RequestHandle& req) {
        return sendProblem(req, makeError(Errc::NotFound, "no such resource"));
    });
    return router;
}

std::string baseUrlOf(const char* scheme, const std::string& address, std::uint16_t port) {
    const bool v6 = address.find(':') != std::string::npos;
    return scheme + std::string("://") + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

// The VAPID audiences of the node: the origins of these base URLs, without repeats.
std::vector<std::string> audiencesOf(const std::vector<std::string>& baseUrls) {
    std::vector<std::string> out;
    for (const auto& url : baseUrls) {
        auto origin = node::urlOrigin(url);
        if (origin && std::find(out.begin(), out.end(), *origin) == out.end()) out.push_back(*origin);
    }
    return out;
}

}  // namespace

ProxyServer::ProxyServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProxyServer::~ProxyServer() {
    stop();
    // Connections still open (kept alive by their clients) go with the io_context.
    if (impl_->http) keepUntilIoContextEnds(*impl_->io, std::shared_ptr<HttpServer>(std::move(impl_->http)));
    if (impl_->https) keepUntilIoContextEnds(*impl_->io, std::shared_ptr<HttpsListener>(std::move(impl_->https)));
}

Expected<std::unique_ptr<ProxyServer>> ProxyServer::start(asio::io_context& io, node::PushNetwork& network,
                                                          ProxyConfig config) {
    auto impl = std::make_unique<Impl>();
    impl->io = &io;
    if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        const auto fit = connectionsThatFit(files.rlim_cur, config.https.enabled() ? 2 : 1, config.maxConnections);
        if (fit < config.maxConnections)
            log::warn("the open-file limit ({}) holds {} connections per listener, not {}: raise it (ulimit -n, "
                      "LimitNOFILE=) for more",
                      files.rlim_cur, fit, config.maxConnections);
        config.maxConnections = fit;
    }
    auto store = openStore(config.dataDir);
    if (!store) return store.error();
    impl->store = std::move(*store);
    impl->mailbox = std::make_unique<Mailbox>(
        impl->store->database(),
        MailboxLimits{config.mailboxMessages, config.mailboxBytes, config.subscriptionMessages, config.subscriptionBytes,
                      std::chrono::duration_cast<std::chrono::milliseconds>(config.valueExpiration).count() + 60000});
    HubLimits hubLimits{config.keepAlive, config.valueExpiration, HubLimits{}.watchesPerSecond,
                        EnvelopeTimeRules{config.maxClockSkew, config.maxTtlSeconds}, config.maxSeenIds,
                        config.maxStreamsPerDevice};
    hubLimits.held = HeldLimits{config.heldBytes / 4, config.heldBytes};  // a device: a quarter at most
    impl->hub = std::make_shared<DeliveryHub>(asio::make_strand(io), network, *impl->mailbox, hubLimits);
    // Next to the node's id: a put to one of them reaches this node first (inbox_placement.h).
    // Kept across restarts, as the node's identity is, in the data folder.
    const auto nodeKey = network.nodeKey();
    auto inboxes = impl->store->inboxes(config.inboxes, [&nodeKey]() {
        return nodeKey ? crypto::inboxIdNear(*nodeKey) : crypto::randomBytes(crypto::INBOX_ID_BYTES);
    });
    if (!inboxes) return inboxes.error();
    impl->context = std::make_unique<RouteContext>(
        RouteContext{config, {}, {}, network, *impl->store, *impl->mailbox, impl->hub, io, std::move(*inboxes),
                     node::TokenPublisher(network,
                                          node::PublishLimits{config.standalone, config.maxPublishBacklog,
                                                              config.maxPublishKeys},
                                          [hub = impl->hub](const crypto::DhtKey& key) { return hub->watchesKey(key); })});
    impl->context->limits = RequestLimits(config.rates);
    for (const auto& inbox : impl->context->inboxes)
        if (auto token = crypto::SubscriptionToken::generateInInbox(inbox)) impl->context->inboxKeys.insert(token->dhtKey());
    impl->guard = std::make_shared<ConnectionGuard>(
        io, ConnectionGuardLimits{config.connectionsPerAddress, config.tlsHandshakeTimeout});
    impl->context->guard = impl->guard;
    impl->listener = std::make_shared<ConnectionCloseListener>();
    impl->listener->guard = impl->guard;
    std::weak_ptr<DeliveryHub> weakHub = impl->hub;
    impl->listener->onClosed = [weakHub](ConnectionId id) {
        if (auto hub = weakHub.lock()) hub->connectionClosed(id);
    };

    try {
        auto blocker = std::make_shared<ListenerBlocker>(impl->guard, false);
        impl->httpWatch = makeAcceptWatch(io, impl->guard);
        auto settings = listenerSettings<ProxyTraits>(config, config.httpAddress, config.httpPort,
                                                      makeRouter(*impl->context, 0, takeHttpStream), impl->listener, impl->port,
                                                      impl->httpWatch);
        settings.ip_blocker(blocker);
        AcceptWatch::Building building(impl->httpWatch);
        impl->http = std::make_unique<HttpServer>(restinio::external_io_context(io), std::move(settings));
        impl->http->open_sync();
        blocker->localPort = impl->listener->localPort = impl->port;
    } catch (const std::exception& ex) {
        return makeError(Errc::Unavailable, "cannot listen on " + config.httpAddress + ":" +
                                                std::to_string(config.httpPort) + ": " + ex.what());
    }
    std::vector<std::string> listenerUrls{baseUrlOf("http", config.httpAddress, impl->port)};
    if (config.https.enabled()) {
        auto https = HttpsListener::start(io, config, makeRouter(*impl->context, HTTPS_CONNECTION_TAG, takeHttpsStream), impl->listener);
        if (!https) return https.error();
        impl->https = std::move(*https);
        listenerUrls.insert(listenerUrls.begin(), baseUrlOf("https", config.https.address, impl->https->port()));
    }
    auto& baseUrl = impl->context->baseUrl;
    baseUrl = config.publicUrl.empty() ? listenerUrls.front() : config.publicUrl;
    while (!baseUrl.empty() && baseUrl.back() == '/') baseUrl.pop_back();
    listenerUrls.insert(listenerUrls.begin(), baseUrl);
    impl->context->audiences = audiencesOf(listenerUrls);

    impl->hub->start();
    auto subscriptions = impl->store->allSubscriptions();
    if (!subscriptions) return subscriptions.error();
    for (const auto& record : *subscriptions) impl->hub->watch(record.token, record.deviceId, record.vapidKey);
    // A closed proxy (invite only) serves its own devices: it is not offered to others.
    if (config.inviteSecret.empty()) {
        auto* context = impl->context.get();
        auto* devices = impl->store.get();
        impl->announcer = std::make_shared<DirectoryAnnouncer>(io, network, config.announceInterval, [context, devices] {
            node::ProxyRecord record;
            record.urls = {context->baseUrl};
            record.version = DHTPUSH_VERSION;
            record.maxDevices = context->config.maxDevices;
            record.devices = devices->deviceTotal();
            record.subscriptions = devices->subscriptionTotal();
            record.streams = context->hub->openStreams();
            return record;
        });
        impl->announcer->start();
    }
    return std::unique_ptr<ProxyServer>(new ProxyServer(std::move(impl)));
}

std::uint16_t ProxyServer::port() const { return impl_->port; }

std::uint16_t ProxyServer::httpsPort() const { return impl_->https ? impl_->https->port() : 0; }

Status ProxyServer::reloadCertificate() {
    if (!impl_->https) return success();
    return impl_->https->reloadCertificate();
}

std::string ProxyServer::baseUrl() const { return impl_->context->baseUrl; }

void ProxyServer::stop() {
    if (impl_->stopped) return;
    impl_->stopped = true;
    if (impl_->announcer) impl_->announcer->stop();
    impl_->hub->stop();
    impl_->guard->stop();
    impl_->httpWatch->stop();
    impl_->http->close_async([] {}, [](std::exception_ptr) {});
    if (impl_->https) impl_->https->close();
}

}  // namespace dhtpush::proxy
