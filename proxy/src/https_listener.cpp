#include "https_listener.h"

#include "guarded_tls_socket.h"
#include "listener_settings.h"

namespace dhtpush::proxy {
namespace {

struct ProxyTlsTraits : public restinio::single_thread_tls_traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t> {
    using stream_socket_t = GuardedTlsSocket;  // answers malformed requests restinio would drop
    using request_handler_t = Router;
    using connection_state_listener_t = ConnectionCloseListener;
    using ip_blocker_t = ListenerBlocker;
    // The connection limiter: AcceptLimiter, chosen by connection_count_limit_types below.
};

}  // namespace
}  // namespace dhtpush::proxy

template <>
struct restinio::connection_count_limit_types<dhtpush::proxy::ProxyTlsTraits> : dhtpush::proxy::AcceptLimitTypes {};

namespace dhtpush::proxy {
namespace {

using HttpsServer = restinio::http_server_t<ProxyTlsTraits>;

// TLS 1.2 and later only; the files are PEM. Throws asio::system_error on a bad file
// (startup only: start() turns it into an error value).
asio::ssl::context makeTlsContext(const HttpsConfig& https) {
    asio::ssl::context tls(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                    asio::ssl::context::single_dh_use);
    tls.use_certificate_chain_file(https.certFile);
    tls.use_private_key_file(https.keyFile, asio::ssl::context::pem);
    return tls;
}

}  // namespace

struct HttpsListener::Impl {
    std::shared_ptr<ConnectionCloseListener> listener;
    std::shared_ptr<AcceptWatch> watch;
    std::unique_ptr<HttpsServer> server;
    std::uint16_t port{0};
};

HttpsListener::HttpsListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsListener::~HttpsListener() = default;

Expected<std::unique_ptr<HttpsListener>> HttpsListener::start(asio::io_context& io, const ProxyConfig& config,
                                                              std::unique_ptr<Router> router,
                                                              std::shared_ptr<ConnectionCloseListener> listener) {
    const auto& https = config.https;
    auto impl = std::make_unique<Impl>();
    // This server's own listener: it tags its connection ids before passing them on.
    impl->listener = std::make_shared<ConnectionCloseListener>();
    impl->listener->guard = listener->guard;
    std::weak_ptr<ConnectionCloseListener> shared = listener;
    impl->listener->onClosed = [shared](ConnectionId id) {
        if (auto target = shared.lock(); target && target->onClosed) target->onClosed(id | HTTPS_CONNECTION_TAG);
    };
    const auto where = https.address + ":" + std::to_string(https.port);
    try {
        auto tls = makeTlsContext(https);
        impl->watch = makeAcceptWatch(io, listener->guard);
        auto settings = listenerSettings<ProxyTlsTraits>(config, https.address, https.port, std::move(router),
                                                         impl->listener, impl->port, impl->watch);
        settings.tls_context(std::move(tls));
        auto blocker = std::make_shared<ListenerBlocker>(listener->guard, true);
        settings.ip_blocker(blocker);
        AcceptWatch::Building building(impl->watch);
        impl->server = std::make_unique<HttpsServer>(restinio::external_io_context(io), std::move(settings));
        impl->server->open_sync();
        blocker->localPort = impl->listener->localPort = impl->port;
    } catch (const std::exception& ex) {
        return makeError(Errc::Unavailable, "cannot serve HTTPS on " + where + " with certificate " + https.certFile +
                                                " and key " + https.keyFile + ": " + ex.what());
    }
    return std::unique_ptr<HttpsListener>(new HttpsListener(std::move(impl)));
}

std::uint16_t HttpsListener::port() const { return impl_->port; }

void HttpsListener::close() {
    impl_->watch->stop();
    impl_->server->close_async([] {}, [](std::exception_ptr) {});
}

}  // namespace dhtpush::proxy
