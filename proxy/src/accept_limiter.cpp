#include "accept_limiter.h"

#include "accept_watch.h"

namespace dhtpush::proxy {

AcceptLimiter::AcceptLimiter(restinio::not_null_pointer_t<Acceptor> acceptor,
                             restinio::connection_count_limits::max_parallel_connections_t maxConnections,
                             restinio::connection_count_limits::max_active_accepts_t maxAccepts)
    : acceptor_(acceptor), maxConnections_(maxConnections.value()), issued_(maxAccepts.value(), false),
      watch_(AcceptWatch::building()) {
    pending_.reserve(maxAccepts.value());
    if (watch_) watch_->attach(this);
}

AcceptLimiter::~AcceptLimiter() {
    if (watch_) watch_->detach(this);
}

void AcceptLimiter::increment_parallel_connections() noexcept { ++connections_; }

void AcceptLimiter::decrement_parallel_connections() noexcept {
    --connections_;
    if (hasFreeSlot() && !pending_.empty()) {
        const auto index = pending_.back();
        pending_.pop_back();
        acceptor_->schedule_next_accept_attempt(index);
    }
}

void AcceptLimiter::accept_next(std::size_t index) noexcept {
    if (index >= issued_.size()) issued_.resize(index + 1, false);
    if (issued_[index]) {
        issued_[index] = false;
        --issuedCount_;
        ++ended_;
    }
    if (!hasFreeSlot()) {
        pending_.push_back(index);
        return;
    }
    issued_[index] = true;
    ++issuedCount_;
    acceptor_->call_accept_now(index);
}

std::size_t AcceptLimiter::restartStalled(bool waiting) noexcept {
    const bool stalled = waiting && waitingAtLastLook_ && ended_ == endedAtLastLook_;
    waitingAtLastLook_ = waiting;
    endedAtLastLook_ = ended_;
    if (!stalled) return 0;
    std::size_t restarted = 0;
    for (std::size_t index = 0; index < issued_.size(); ++index) {
        if (!issued_[index]) continue;
        acceptor_->call_accept_now(index);
        ++restarted;
    }
    return restarted;
}

}  // namespace dhtpush::proxy
