#pragma once
// Settings shared by the HTTP and the HTTPS listener, so that both serve the routes alike.
#include <chrono>
#include <cstdint>
#include <memory>

#include "accept_watch.h"
#include "dhtpush/proxy/server.h"
#include "http_response.h"
#include "http_head_check.h"
#include "http_types.h"

namespace dhtpush::proxy {

// The read buffer of one connection (see buffer_size below).
constexpr std::size_t CONNECTION_READ_BUFFER_BYTES = 1024;

// Settings for one restinio server of Traits (plain or TLS) on address:port with its own
// router; `boundPort` receives the port once the acceptor is bound, and `watch` the acceptor.
template <class Traits>
restinio::server_settings_t<Traits> listenerSettings(const ProxyConfig& config, const std::string& address,
                                                     std::uint16_t port, std::unique_ptr<Router> router,
                                                     std::shared_ptr<ConnectionCloseListener> listener,
                                                     std::uint16_t& boundPort,
                                                     std::shared_ptr<AcceptWatch> watch) {
    restinio::server_settings_t<Traits> settings;
    settings.address(address)
        .port(port)
        .request_handler(std::move(router))
        .connection_state_listener(std::move(listener))
        .max_parallel_connections(config.maxConnections)
        // Each connection holds a read buffer of this size for its whole life (an event stream
        // no longer does: stream_connection.h), 4 KiB by restinio's default. A longer request
        // is read in several pieces.
        .buffer_size(CONNECTION_READ_BUFFER_BYTES)
        // The same limits HttpHeadCheck answers for (http_head_check.h) before restinio would
        // close the connection over them. Bodies between 4096 bytes and the maximum get a 413
        // problem from the route.
        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                      .max_url_size(MAX_URL_BYTES)
                                      .max_field_count(MAX_HEADER_FIELDS)
                                      .max_field_name_size(MAX_FIELD_NAME_BYTES)
                                      .max_field_value_size(MAX_FIELD_VALUE_BYTES)
                                      .max_body_size(MAX_REQUEST_BODY_BYTES))
        // Four keep-alive intervals, from when event streams were requests restinio handled
        // (now it hands their sockets over: stream_connection.h): well past the slowest
        // answer, a POST waiting for the DHT.
        .handle_request_timeout(config.keepAlive * 4)
        .read_next_http_message_timelimit(std::chrono::seconds(60))
        // Events are small writes that must leave at once, not wait for Nagle.
        .socket_options_setter([](auto& options) { options.set_option(asio::ip::tcp::no_delay{true}); })
        .acceptor_post_bind_hook([&boundPort, watch = std::move(watch)](asio::ip::tcp::acceptor& acceptor) {
            boundPort = acceptor.local_endpoint().port();
            watch->bound(acceptor);
        });
    return settings;
}

// The AcceptWatch of one listener: each accept it issues again is counted by the guard
// (`connections.accepts_restarted` in /health) and reported.
inline std::shared_ptr<AcceptWatch> makeAcceptWatch(asio::io_context& io, std::shared_ptr<ConnectionGuard> guard) {
    return std::make_shared<AcceptWatch>(io, [guard = std::move(guard)](std::size_t restarted) {
        guard->countAcceptRestarts(restarted);
        log::sampled(log::Level::warn, "accept restarted",
                      "a listener's accept() had failed (out of descriptors or memory); accepting again");
    });
}

}  // namespace dhtpush::proxy
