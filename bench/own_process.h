#pragma once
// What the bench needs to know of its own process.
//
// The bench runs the node under test and the rest of its world (the other DHT nodes, the
// attacker) in one process on the same cores. On the internet the rest of the world has its
// own machines: its threads run at the lowest priority here so that their CPU is not counted
// against the node under test (whose own threads, and the honest device's, keep theirs).
#include <sys/types.h>

#include <set>

namespace dhtpush::bench {

// The threads this process has started since the mark was made.
class ThreadMark {
public:
    ThreadMark();
    std::set<pid_t> startedSince() const;

private:
    std::set<pid_t> before_;
};

// Gives each thread the lowest scheduling priority (nice 19); returns how many it changed.
std::size_t lowestPriority(const std::set<pid_t>& threads);
// The same for the calling thread.
void lowestPriorityForThisThread();

// How many file descriptors the process has open (the node's ends of the attack's connections
// are among them).
std::size_t openDescriptors();

}  // namespace dhtpush::bench
