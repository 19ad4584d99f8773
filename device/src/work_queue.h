#pragma once
// Work done in order on a thread of its own, at most `bound` items waiting: what must not run
// on the D-Bus thread (calls to apps, registrations that call the proxies).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace dhtpush::device {

class WorkQueue {
public:
    explicit WorkQueue(std::size_t bound);
    // Finishes what is queued, then stops.
    ~WorkQueue();
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    // False (and `work` dropped) when `bound` items already wait.
    bool post(std::function<void()> work);
    // Returns once everything posted so far has run (what it posts meanwhile runs too).
    void waitIdle();

private:
    void run();

    std::size_t bound_;
    std::mutex mutex_;
    std::condition_variable queued_;
    std::condition_variable idle_;
    bool running_ = false;  // a work item is running
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dhtpush::device
