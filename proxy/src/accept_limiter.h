#pragma once
// The connection count limiter of the node's listeners, in place of restinio 0.6.16's own
// (restinio::connection_count_limit_types of each listener's traits: http_types.h,
// https_listener.cpp). restinio's limiter has two ways to stop a
// listener for good, both reachable from the internet:
// - it counts an accept as in progress until a connection object is made, so every
//   connection its IP blocker refuses (our per-address limit) keeps a slot: after
//   max_parallel_connections refusals, a few seconds of one client's work, the listener
//   never accepted again;
// - when accept() itself fails (EMFILE, ENFILE, ENOBUFS), restinio drops the error and
//   never asks for an accept on that socket again.
// This one counts an accept as ended whenever restinio asks for the next one, however it
// ended, and, looked at once a second by an AcceptWatch, issues an accept again when one
// has been in progress for a whole look while a connection waited in the kernel's backlog:
// asio would have taken that connection, so the accept failed. A failing accept() is thus
// tried at most once a second, and the listener serves again as soon as it can.
// Runs on the io_context's one thread (restinio's single-thread traits): no locks.
#include <restinio/all.hpp>  // its connection_count_limiter.hpp is not self-contained

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace dhtpush::proxy {

class AcceptWatch;

class AcceptLimiter {
public:
    using Acceptor = restinio::connection_count_limits::impl::acceptor_callback_iface_t;

    // restinio makes it, and passes it nothing of ours: it joins the AcceptWatch being
    // built on this thread, if any (AcceptWatch::Building).
    AcceptLimiter(restinio::not_null_pointer_t<Acceptor> acceptor,
                  restinio::connection_count_limits::max_parallel_connections_t maxConnections,
                  restinio::connection_count_limits::max_active_accepts_t maxAccepts);
    ~AcceptLimiter();
    AcceptLimiter(const AcceptLimiter&) = delete;
    AcceptLimiter& operator=(const AcceptLimiter&) = delete;

    // restinio's calls: a connection object was made or destroyed; accept on socket `index`
    // (the accept issued on it before, if any, has ended).
    void increment_parallel_connections() noexcept;
    void decrement_parallel_connections() noexcept;
    void accept_next(std::size_t index) noexcept;

    // One look: `waiting` is whether a connection waits in the listening socket's backlog.
    // Issues again the accepts in progress since the last look when the connection waited
    // at both; returns how many.
    std::size_t restartStalled(bool waiting) noexcept;

private:
    bool hasFreeSlot() const { return issuedCount_ + connections_ < maxConnections_; }

    Acceptor* acceptor_;
    std::size_t maxConnections_;
    std::size_t connections_{0};
    std::vector<bool> issued_;  // by socket index: an accept is in progress on it
    std::size_t issuedCount_{0};
    std::vector<std::size_t> pending_;  // socket indexes waiting for a free slot
    std::uint64_t ended_{0};            // accepts that ended (restinio asked for the next)
    std::uint64_t endedAtLastLook_{0};
    bool waitingAtLastLook_{false};
    std::shared_ptr<AcceptWatch> watch_;
};

// For restinio's connection_count_limit_types of a listener's traits.
struct AcceptLimitTypes {
    using limiter_t = AcceptLimiter;
    using lifetime_monitor_t = restinio::connection_count_limits::connection_lifetime_monitor_t<AcceptLimiter>;
};

}  // namespace dhtpush::proxy
