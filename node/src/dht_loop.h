#pragma once
// Runs OpenDHT's loop (its non-threaded mode) on a strand of an io_context: when packets
// arrive, when the DHT's scheduler is due, and after each call into the runner. A packet,
// OpenDHT's work on it and what a callback does next (an HTTP write, a put) then happen on
// one thread, without the wake-ups of OpenDHT's receive and DHT threads.
#include <asio/steady_timer.hpp>

#include <opendht/dhtrunner.h>

#include <atomic>

#include "asio_udp_socket.h"

namespace dhtpush::node {

class DhtLoop {
public:
    DhtLoop(DhtStrand strand, dht::DhtRunner& runner);

    // Any thread: the runner has work queued (a put, a listen...); runs the loop soon.
    void kick();
    // On the strand: runs the loop now and waits for the scheduler's next job.
    void run();
    // On the strand (or once the io_context has stopped): no more runs.
    void close();

private:
    DhtStrand strand_;
    dht::DhtRunner& runner_;
    asio::steady_timer timer_;
    dht::time_point armedFor_{dht::time_point::max()};
    std::atomic<bool> kicked_{false};
    bool closed_{false};
};

}  // namespace dhtpush::node
