#pragma once
// The restinio flavour the proxy runs on: single-threaded, an express router,
// a listener that tells the delivery hub when a connection closes.
#include <restinio/all.hpp>

#include <functional>
#include <memory>

#include "accept_limiter.h"
#include "connection_guard.h"
#include "guarded_socket.h"

namespace dhtpush::proxy {

using ConnectionId = restinio::connection_id_t;

// restinio creates the listener from settings; the hub sets the callback after start. It
// also tells the connection guard (when set) when a connection is ready and when it closes.
class ConnectionCloseListener {
public:
    void state_changed(const restinio::connection_state::notice_t& notice) noexcept {
        const auto cause = notice.cause();
        const bool closed = restinio::get_if<restinio::connection_state::closed_t>(&cause) != nullptr;
        if (guard) {
            if (closed) guard->closed(notice.remote_endpoint(), localPort);
            else if (restinio::get_if<restinio::connection_state::accepted_t>(&cause))
                guard->ready(notice.remote_endpoint(), localPort);
        }
        if (!closed) return;
        if (auto callback = onClosed) callback(notice.connection_id());
    }
    std::function<void(ConnectionId)> onClosed;
    std::shared_ptr<ConnectionGuard> guard;
    std::uint16_t localPort{0};  // of this listener, set once it is bound
};

// restinio's IP blocker of one listener: asks the guard whether to keep a new connection.
class ListenerBlocker {
public:
    ListenerBlocker(std::shared_ptr<ConnectionGuard> guard, bool tls) : guard_(std::move(guard)), tls_(tls) {}
    restinio::ip_blocker::inspection_result_t inspect(const restinio::ip_blocker::incoming_info_t& info) noexcept {
        return guard_->admit(info.remote_endpoint(), tls_, localPort) ? restinio::ip_blocker::allow()
                                                                      : restinio::ip_blocker::deny();
    }
    std::uint16_t localPort{0};  // set once the listener is bound

private:
    std::shared_ptr<ConnectionGuard> guard_;
    bool tls_;
};

using Router = restinio::router::express_router_t<>;

// Single-thread traits (no strand per connection): one thread runs the proxy's io_context,
// so an event the hub writes inside a DHT callback goes to the socket at once instead of
// through a post to the connection's strand.
struct ProxyTraits : public restinio::default_single_thread_traits_t {
    using stream_socket_t = GuardedSocket;  // answers malformed requests restinio would drop
    using request_handler_t = Router;
    using connection_state_listener_t = ConnectionCloseListener;
    using ip_blocker_t = ListenerBlocker;
    // The connection limiter: AcceptLimiter, chosen by connection_count_limit_types below.
};

}  // namespace dhtpush::proxy

// The node's own connection count limiter (accept_limiter.h): restinio's stops a listener.
template <>
struct restinio::connection_count_limit_types<dhtpush::proxy::ProxyTraits> : dhtpush::proxy::AcceptLimitTypes {};

namespace dhtpush::proxy {

using HttpServer = restinio::http_server_t<ProxyTraits>;
using RequestHandle = restinio::request_handle_t;
using RouteParams = restinio::router::route_params_t;

}  // namespace dhtpush::proxy
