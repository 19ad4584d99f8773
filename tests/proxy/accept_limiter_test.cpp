// The node's connection count limiter against restinio's acceptor interface, recorded by a
// stand-in acceptor (the real one is in the integration tests: connection_limits_test).
#include "accept_limiter.h"

#include <vector>

#include <catch2/catch.hpp>

using dhtpush::proxy::AcceptLimiter;

namespace {

// restinio's interface has no virtual destructor; this one is never deleted through it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
struct RecordingAcceptor final : AcceptLimiter::Acceptor {
    void call_accept_now(std::size_t index) noexcept override { accepts.push_back(index); }
    void schedule_next_accept_attempt(std::size_t index) noexcept override { scheduled.push_back(index); }
    std::vector<std::size_t> accepts, scheduled;
};
#pragma GCC diagnostic pop

AcceptLimiter makeLimiter(RecordingAcceptor& acceptor, std::size_t maxConnections, std::size_t accepts = 1) {
    return AcceptLimiter(&acceptor, restinio::connection_count_limits::max_parallel_connections_t{maxConnections},
                         restinio::connection_count_limits::max_active_accepts_t{accepts});
}

}  // namespace

// Regression (issue 12): restinio's limiter kept a slot for each connection its IP blocker
// refused; after max_parallel_connections refusals the listener never accepted again.
TEST_CASE("connections refused after accept give their slot back", "[unit][proxy][security]") {
    RecordingAcceptor acceptor;
    auto limiter = makeLimiter(acceptor, 2);
    limiter.accept_next(0);  // the listener opens
    // Each refused connection: restinio asks for the next accept without making a connection.
    for (int refused = 0; refused < 100; ++refused) limiter.accept_next(0);
    CHECK(acceptor.accepts.size() == 101);
    // Accepted connections do take slots.
    limiter.increment_parallel_connections();
    limiter.accept_next(0);
    CHECK(acceptor.accepts.size() == 102);
    limiter.increment_parallel_connections();
    limiter.accept_next(0);  // two connections open: the limit
    CHECK(acceptor.accepts.size() == 102);
    limiter.decrement_parallel_connections();
    CHECK(acceptor.scheduled == std::vector<std::size_t>{0});
}

TEST_CASE("an accept in progress while a connection waits a whole look is issued again", "[unit][proxy][security]") {
    RecordingAcceptor acceptor;
    auto limiter = makeLimiter(acceptor, 10, 2);
    limiter.accept_next(0);
    limiter.accept_next(1);
    REQUIRE(acceptor.accepts.size() == 2);

    SECTION("no connection waiting: nothing to do") {
        CHECK(limiter.restartStalled(false) == 0);
        CHECK(limiter.restartStalled(false) == 0);
    }
    SECTION("waiting at one look only: asio may not have had its turn yet") {
        CHECK(limiter.restartStalled(true) == 0);
        CHECK(limiter.restartStalled(false) == 0);
        CHECK(limiter.restartStalled(true) == 0);
    }
    SECTION("an accept ended between the looks: the listener is alive") {
        CHECK(limiter.restartStalled(true) == 0);
        limiter.accept_next(0);
        CHECK(limiter.restartStalled(true) == 0);
        CHECK(acceptor.accepts.size() == 3);
    }
    SECTION("waiting at two looks with no accept ended: both accepts are issued again, once a look") {
        CHECK(limiter.restartStalled(true) == 0);
        CHECK(limiter.restartStalled(true) == 2);
        CHECK(acceptor.accepts == std::vector<std::size_t>{0, 1, 0, 1});
        CHECK(limiter.restartStalled(true) == 2);  // accept() still failing: tried again a look later
        CHECK(acceptor.accepts.size() == 6);
    }
}

TEST_CASE("a listener at its connection limit is not taken for stalled", "[unit][proxy][security]") {
    RecordingAcceptor acceptor;
    auto limiter = makeLimiter(acceptor, 1);
    limiter.accept_next(0);
    limiter.increment_parallel_connections();
    limiter.accept_next(0);  // at the limit: the index waits for a free slot
    CHECK(acceptor.accepts.size() == 1);
    CHECK(limiter.restartStalled(true) == 0);
    CHECK(limiter.restartStalled(true) == 0);
    CHECK(acceptor.accepts.size() == 1);
}
