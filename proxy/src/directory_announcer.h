#pragma once
// Keeps this proxy's entry in the DHT's proxy directory (node/proxy_record.h): announced once
// the node has peers, again every interval with its load, and withdrawn when it stops, so a
// device looking for proxies finds this one while it serves and soon stops finding it after.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>

#include "dhtpush/node/push_network.h"

namespace dhtpush::proxy {

class DirectoryAnnouncer : public std::enable_shared_from_this<DirectoryAnnouncer> {
public:
    // The entry as it stands now, but for its times (set here).
    using Describe = std::function<node::ProxyRecord()>;

    // An entry holds for this many intervals: one lost refresh does not drop the proxy.
    static constexpr int INTERVALS_HELD = 3;

    DirectoryAnnouncer(asio::io_context& io, node::PushNetwork& network, std::chrono::seconds interval, Describe describe);
    void start();
    // Withdraws the entry (best effort: the DHT node must still run a moment) and stops, on the
    // io_context's thread.
    void stop();

private:
    void tick();

    node::PushNetwork& network_;
    std::chrono::seconds interval_;
    Describe describe_;
    asio::steady_timer timer_;
    bool announced_{false};
    bool stopped_{false};
};

}  // namespace dhtpush::proxy
