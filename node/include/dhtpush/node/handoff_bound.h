#pragma once
// At most `limit` items handed from one thread to another and not yet taken: the giver waits
// for room instead of a queue that grows without bound. Between the DHT's thread and the
// subscription router (and the delivery hub behind it) this is backpressure, not loss: the
// DHT's thread stops reading packets, storing nodes see their notifications wait, and senders
// see their puts slow down (then 503).
// Thread-safe.
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace dhtpush::node {

class HandoffBound {
public:
    explicit HandoffBound(std::size_t limit) : limit_(limit) {}

    // Waits for room; false once closed (then the item is not handed over).
    bool acquire() {
        std::unique_lock<std::mutex> lock(mutex_);
        room_.wait(lock, [this] { return closed_ || inFlight_ < limit_; });
        if (closed_) return false;
        ++inFlight_;
        return true;
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --inFlight_;
        }
        room_.notify_one();
    }
    // Wakes every waiter: nobody will take what they would hand over any more.
    void close() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closed_ = true;
        }
        room_.notify_all();
    }
    std::size_t inFlight() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return inFlight_;
    }

private:
    const std::size_t limit_;
    mutable std::mutex mutex_;
    std::condition_variable room_;
    std::size_t inFlight_{0};
    bool closed_{false};
};

}  // namespace dhtpush::node
