#pragma once
// Sequential sampling: start a sample, wait (bounded) until another thread marks it arrived.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace dhtpush::bench {

class SampleClock {
public:
    using Clock = std::chrono::steady_clock;

    void start(long id) {
        std::lock_guard<std::mutex> lock(mutex_);
        current_ = id;
        arrived_.reset();
        started_ = Clock::now();
    }
    void arrived(long id) {
        const auto now = Clock::now();
        std::lock_guard<std::mutex> lock(mutex_);
        if (id != current_ || arrived_) return;
        arrived_ = now;
        cv_.notify_all();
    }
    // Milliseconds from start to arrival, or nullopt when it did not arrive in time.
    std::optional<double> wait(std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!cv_.wait_for(lock, timeout, [&] { return arrived_.has_value(); })) return std::nullopt;
        return std::chrono::duration<double, std::milli>(*arrived_ - started_).count();
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    long current_{-1};
    Clock::time_point started_;
    std::optional<Clock::time_point> arrived_;
};

}  // namespace dhtpush::bench
