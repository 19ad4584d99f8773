#pragma once
// The node's HTTPS listener: a second restinio server on the same io_context, with a router
// of its own built from the same routes and RouteContext as the plain HTTP one.
#include <asio/io_context.hpp>

#include <cstdint>
#include <memory>

#include "dhtpush/expected.h"
#include "dhtpush/proxy/server.h"
#include "http_types.h"
#include "stream_connection.h"

namespace dhtpush::proxy {

// restinio numbers connections per server from 1: the HTTPS listener's ids carry this bit
// so that the delivery hub never mistakes one listener's connection for the other's.
constexpr ConnectionId HTTPS_CONNECTION_TAG = ConnectionId{1} << 63;

// The StreamTaker of the HTTPS listener's connections: the stream keeps the TLS socket.
std::shared_ptr<StreamConnection> takeHttpsStream(const RequestHandle& req, const std::string& head);

class HttpsListener {
public:
    // Loads the certificate and key of config.https and binds its address and port.
    // Unavailable: an unreadable or mismatched certificate or key, a port that cannot be bound.
    // The listener reports closed connections to `listener` with HTTPS_CONNECTION_TAG set.
    static Expected<std::unique_ptr<HttpsListener>> start(asio::io_context& io, const ProxyConfig& config,
                                                          std::unique_ptr<Router> router,
                                                          std::shared_ptr<ConnectionCloseListener> listener);
    ~HttpsListener();
    HttpsListener(const HttpsListener&) = delete;
    HttpsListener& operator=(const HttpsListener&) = delete;

    std::uint16_t port() const;
    // Reads the certificate and key files again and serves new connections with them (an ACME
    // client renewed them); open connections and streams go on. On a bad, unreadable or
    // mismatched pair it keeps the served one and says why. On the io_context's thread.
    Status reloadCertificate();
    // Closes the listening socket; asynchronous, like the HTTP server's close.
    void close();

    struct Impl;

private:
    explicit HttpsListener(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dhtpush::proxy
