#pragma once
// The restinio flavour the proxy runs on: one strand per connection, an express router,
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

struct ProxyTraits : public restinio::default_traits_t {
    using request_handler_t = Router;
    using connection_state_listener_t = ConnectionCloseListener;
    static constexpr bool use_connection_count_limiter = true;
};

using HttpServer = restinio::http_server_t<ProxyTraits>;
using RequestHandle = restinio::request_handle_t;
using RouteParams = restinio::router::route_params_t;

}  // namespace dhtpush::proxy
