#include "accept_watch.h"

#include <poll.h>

#include "accept_limiter.h"

namespace dhtpush::proxy {
namespace {

thread_local std::shared_ptr<AcceptWatch> beingBuilt;

// A listening socket is readable when a connection waits in its accept queue.
bool connectionWaiting(asio::ip::tcp::acceptor& acceptor) {
    pollfd listening{acceptor.native_handle(), POLLIN, 0};
    return ::poll(&listening, 1, 0) == 1 && (listening.revents & POLLIN) != 0;
}

}  // namespace

AcceptWatch::AcceptWatch(asio::io_context& io, std::function<void(std::size_t)> onRestart,
                         std::chrono::milliseconds period)
    : timer_(io), onRestart_(std::move(onRestart)), period_(period) {}

AcceptWatch::Building::Building(std::shared_ptr<AcceptWatch> watch) { beingBuilt = std::move(watch); }

AcceptWatch::Building::~Building() { beingBuilt.reset(); }

std::shared_ptr<AcceptWatch> AcceptWatch::building() { return beingBuilt; }

void AcceptWatch::detach(AcceptLimiter* limiter) {
    if (limiter_ != limiter) return;
    limiter_ = nullptr;
    acceptor_ = nullptr;
}

void AcceptWatch::bound(asio::ip::tcp::acceptor& acceptor) {
    acceptor_ = &acceptor;
    schedule();
}

void AcceptWatch::stop() {
    stopped_ = true;
    timer_.cancel();
}

void AcceptWatch::schedule() {
    if (stopped_) return;
    timer_.expires_after(period_);
    timer_.async_wait([weak = weak_from_this()](const asio::error_code& error) {
        if (error) return;
        if (auto watch = weak.lock()) watch->look();
    });
}

void AcceptWatch::look() {
    if (stopped_ || !limiter_ || !acceptor_) return;
    if (acceptor_->is_open()) {
        if (const auto restarted = limiter_->restartStalled(connectionWaiting(*acceptor_)); restarted && onRestart_)
            onRestart_(restarted);
    }
    schedule();
}

}  // namespace dhtpush::proxy
