#pragma once
// A histogram of durations for Prometheus (cumulative buckets in seconds, a sum and a count),
// kept in atomics: observed on the hub's strand, read by /metrics on any thread. Fixed
// buckets, fixed memory.
#include <array>
#include <atomic>
#include <cstdint>

namespace dhtpush::proxy {

class LatencyHistogram {
public:
    // Upper bounds in seconds: from a loopback hop to a DHT that retries.
    static constexpr std::array<double, 12> BOUNDS{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,   0.25,   0.5,   1,    2.5,   10};

    void observe(double seconds) {
        for (std::size_t i = 0; i < BOUNDS.size(); ++i)
            if (seconds <= BOUNDS[i]) {
                ++buckets_[i];
                break;
            }
        ++count_;
        // Microseconds, summed as an integer: atomics of double need a loop.
        sumMicros_ += static_cast<std::uint64_t>(seconds > 0 ? seconds * 1e6 : 0);
    }

    struct Snapshot {
        std::array<std::uint64_t, BOUNDS.size()> cumulative{};  // observations <= BOUNDS[i]
        std::uint64_t count{0};
        double sumSeconds{0};
    };
    Snapshot snapshot() const {
        Snapshot s;
        std::uint64_t running = 0;
        for (std::size_t i = 0; i < BOUNDS.size(); ++i) s.cumulative[i] = running += buckets_[i].load();
        s.count = count_.load();
        s.sumSeconds = static_cast<double>(sumMicros_.load()) / 1e6;
        return s;
    }

private:
    std::array<std::atomic<std::uint64_t>, BOUNDS.size()> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sumMicros_{0};
};

}  // namespace dhtpush::proxy
