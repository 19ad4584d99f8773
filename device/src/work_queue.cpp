#include "work_queue.h"

namespace dhtpush::device {

WorkQueue::WorkQueue(std::size_t bound) : bound_(bound), thread_([this] { run(); }) {}

WorkQueue::~WorkQueue() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    thread_.join();
}

bool WorkQueue::post(std::function<void()> work) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queue_.size() >= bound_) return false;
        queue_.push_back(std::move(work));
    }
    queued_.notify_one();
    return true;
}

void WorkQueue::run() {
    for (;;) {
        std::function<void()> work;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left
            work = std::move(queue_.front());
            queue_.pop_front();
            running_ = true;
        }
        work();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_ = false;
        }
        idle_.notify_all();
    }
}

void WorkQueue::waitIdle() {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !running_; });
}

}  // namespace dhtpush::device
