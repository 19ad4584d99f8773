#include "work_queue.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <vector>

using dhtpush::device::WorkQueue;

TEST_CASE("a work queue runs in order, refuses past its bound, and finishes what waits", "[device]") {
    std::mutex mutex;
    std::condition_variable released;
    bool open = false;
    std::vector<int> done;
    {
        WorkQueue queue(2);
        // The first item holds the thread until released: two more can wait, a third cannot.
        REQUIRE(queue.post([&] {
            std::unique_lock<std::mutex> lock(mutex);
            released.wait(lock, [&] { return open; });
            done.push_back(0);
        }));
        // The first may not have been taken off the queue yet: fill until refused.
        int posted = 1;
        while (posted < 10 && queue.post([&, n = posted] {
                   std::lock_guard<std::mutex> lock(mutex);
                   done.push_back(n);
               }))
            ++posted;
        CHECK(posted <= 3);  // the bound, plus at most the one running
        {
            std::lock_guard<std::mutex> lock(mutex);
            open = true;
        }
        released.notify_all();
        // Leaving the scope: what waits is run before the queue goes.
    }
    REQUIRE(done.size() >= 2);
    for (std::size_t i = 0; i < done.size(); ++i) CHECK(done[i] == static_cast<int>(i));
}
