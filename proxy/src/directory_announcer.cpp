#include "directory_announcer.h"

#include <asio/post.hpp>

#include <algorithm>

#include "dhtpush/node/log.h"

namespace dhtpush::proxy {
namespace {

// Until the node has peers, it looks again this often: the first entry goes out soon after
// the node joins, not an interval later.
constexpr auto WAIT_FOR_PEERS = std::chrono::seconds(1);

}  // namespace

DirectoryAnnouncer::DirectoryAnnouncer(asio::io_context& io, node::PushNetwork& network, std::chrono::seconds interval,
                                       Describe describe)
    : network_(network), interval_(interval), describe_(std::move(describe)), timer_(io) {}

void DirectoryAnnouncer::start() {
    if (interval_.count() == 0) return;
    tick();
}

void DirectoryAnnouncer::tick() {
    if (stopped_) return;
    auto next = interval_;
    if (network_.connected()) {
        auto record = describe_();
        record.issuedUnixMs = node::unixNowMs();
        const auto held = std::min<std::chrono::milliseconds>(interval_ * INTERVALS_HELD, node::PROXY_RECORD_MAX_LIFETIME);
        record.expiresUnixMs = record.issuedUnixMs + held.count();
        network_.announce(record);
        if (!announced_) log::info("announced in the proxy directory as {}", record.urls.front());
        announced_ = true;
    } else {
        next = std::min<std::chrono::seconds>(interval_, std::chrono::duration_cast<std::chrono::seconds>(WAIT_FOR_PEERS));
    }
    timer_.expires_after(next);
    timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->tick();
    });
}

void DirectoryAnnouncer::stop() {
    // On the timer's thread: stop() may come from another one (a test's), and the timer and
    // `announced_` are that thread's. Once the io_context has stopped, nothing is withdrawn.
    asio::post(timer_.get_executor(), [self = shared_from_this()] {
        if (self->stopped_) return;
        self->stopped_ = true;
        self->timer_.cancel();
        if (!self->announced_) return;
        auto record = self->describe_();
        record.issuedUnixMs = record.expiresUnixMs = node::unixNowMs();
        self->network_.announce(record);
    });
}

}  // namespace dhtpush::proxy
