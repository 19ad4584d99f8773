#include "https_listener.h"

#include <openssl/ssl.h>

#include <optional>

#include "guarded_tls_socket.h"
#include "listener_settings.h"
#include "taken_stream_connection.h"

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

// OpenSSL's certificate callback (SSL_CTX_set_cert_cb): on the io_context's thread, at each
// handshake. Returns 0 only when the pair cannot be set (the handshake fails).
int certificateCallback(SSL* ssl, void* arg);

}  // namespace

struct HttpsListener::Impl {
    HttpsConfig https;
    // The context restinio serves new connections with (it owns it): a reload swaps its
    // certificate and key in place. Connections already open keep their own copies.
    SSL_CTX* live{nullptr};
    // The pair loaded by the last reload (none before one). restinio makes the TLS stream of
    // the next connection before it is accepted, with what the context held then: each
    // handshake takes this pair (certificateCallback), so that none gets the old one.
    std::optional<asio::ssl::context> reloaded;
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
        impl->https = https;
        impl->live = tls.native_handle();  // moving the context keeps this SSL_CTX
        SSL_CTX_set_cert_cb(impl->live, certificateCallback, impl.get());
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

namespace {

int certificateCallback(SSL* ssl, void* arg) {
    const auto* impl = static_cast<const HttpsListener::Impl*>(arg);
    if (!impl->reloaded) return 1;  // no reload yet: the context's own pair
    // const_cast: OpenSSL's getters take a non-const context they do not change.
    SSL_CTX* pair = const_cast<asio::ssl::context&>(*impl->reloaded).native_handle();
    STACK_OF(X509)* chain = nullptr;
    SSL_CTX_get0_chain_certs(pair, &chain);
    return SSL_use_certificate(ssl, SSL_CTX_get0_certificate(pair)) == 1 && SSL_set1_chain(ssl, chain) == 1 &&
                   SSL_use_PrivateKey(ssl, SSL_CTX_get0_privatekey(pair)) == 1
               ? 1
               : 0;
}

}  // namespace

std::uint16_t HttpsListener::port() const { return impl_->port; }

Status HttpsListener::reloadCertificate() {
    // Both files read and checked against each other first, in a context of their own: a
    // renewal half written, or a key that does not match, leaves the served pair as it was.
    std::optional<asio::ssl::context> fresh;
    try {
        fresh.emplace(makeTlsContext(impl_->https));
    } catch (const std::exception& ex) {
        return makeError(Errc::Invalid, "cannot read " + impl_->https.certFile + " and " + impl_->https.keyFile + ": " +
                                            ex.what());
    }
    SSL_CTX* loaded = fresh->native_handle();
    if (SSL_CTX_check_private_key(loaded) != 1)
        return makeError(Errc::Invalid, impl_->https.keyFile + " is not the key of " + impl_->https.certFile);
    STACK_OF(X509)* chain = nullptr;
    SSL_CTX_get0_chain_certs(loaded, &chain);
    // The live context takes references to the loaded objects: nothing is read again.
    if (SSL_CTX_use_certificate(impl_->live, SSL_CTX_get0_certificate(loaded)) != 1 ||
        SSL_CTX_set1_chain(impl_->live, chain) != 1 ||
        SSL_CTX_use_PrivateKey(impl_->live, SSL_CTX_get0_privatekey(loaded)) != 1 ||
        SSL_CTX_check_private_key(impl_->live) != 1)
        return makeError(Errc::Internal, "the new certificate could not be put in use");
    impl_->reloaded = std::move(fresh);
    return success();
}

void HttpsListener::close() {
    impl_->watch->stop();
    impl_->server->close_async([] {}, [](std::exception_ptr) {});
}

void writeWithoutWaiting(restinio::tls_socket_t& socket, const std::string& bytes) {
    // As GuardedTlsSocket's answer: TLS writes what the non-blocking TCP socket takes at once.
    asio::error_code ignored;
    socket.lowest_layer().non_blocking(true, ignored);
    asio::write(socket.asio_ssl_stream(), asio::buffer(bytes), ignored);
}

std::shared_ptr<StreamConnection> takeHttpsStream(const RequestHandle& req, const std::string& head) {
    return takeStreamConnection<ProxyTlsTraits, restinio::tls_socket_t>(
        req, head, [](GuardedTlsSocket&& socket) { return std::move(socket.tls()); });
}

}  // namespace dhtpush::proxy
