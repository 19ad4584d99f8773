#pragma once
// The restinio flavour the proxy runs on: single-threaded, an express router,
// a listener that tells the delivery hub when a connection closes.
#include <restinio/all.hpp>

#include <functional>
#include <memory>

namespace dhtpush::proxy {

using ConnectionId = restinio::connection_id_t;

// restinio creates the listener from settings; the hub sets the callback after start.
class ConnectionCloseListener {
public:
    void state_changed(const restinio::connection_state::notice_t& notice) noexcept {
        const auto cause = notice.cause();
        if (!restinio::get_if<restinio::connection_state::closed_t>(&cause)) return;
        if (auto callback = onClosed) callback(notice.connection_id());
    }
    std::function<void(ConnectionId)> onClosed;
};

using Router = restinio::router::express_router_t<>;

// Single-thread traits (no strand per connection): one thread runs the proxy's io_context,
// so an event the hub writes inside a DHT callback goes to the socket at once instead of
// through a post to the connection's strand.
struct ProxyTraits : public restinio::default_single_thread_traits_t {
    using request_handler_t = Router;
    using connection_state_listener_t = ConnectionCloseListener;
    static constexpr bool use_connection_count_limiter = true;
};

using HttpServer = restinio::http_server_t<ProxyTraits>;
using RequestHandle = restinio::request_handle_t;
using RouteParams = restinio::router::route_params_t;

}  // namespace dhtpush::proxy
