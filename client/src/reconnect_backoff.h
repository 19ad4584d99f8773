#pragma once
// How long a device waits before it opens a proxy's event stream again: doubling from 500 ms
// to 30 s while openings fail or streams end at once, plus up to half of it at random (so
// that a restarted proxy is not hit by all its devices at the same instant), and back to
// 500 ms after a stream that stayed up a minute: a proxy that restarts after days of service
// must see its devices again within a second, not after the 30 s a past outage left behind.
// Past 12 openings a minute a proxy answers 429 (--stream-rate): this stays well under it.
#include <algorithm>
#include <chrono>
#include <random>

namespace dhtpush::client {

class ReconnectBackoff {
public:
    static constexpr std::chrono::milliseconds FIRST{500};
    static constexpr std::chrono::milliseconds MAX{30000};
    static constexpr std::chrono::seconds HEALTHY_STREAM{60};

    // The wait before the next opening, after a stream (or an attempt) that lasted `lasted`.
    template <class Random>
    std::chrono::milliseconds next(std::chrono::steady_clock::duration lasted, Random& random) {
        if (lasted >= HEALTHY_STREAM) delay_ = FIRST;
        std::uniform_int_distribution<long> jitter(0, delay_.count() / 2);
        const auto wait = delay_ + std::chrono::milliseconds(jitter(random));
        delay_ = std::min(delay_ * 2, MAX);
        return wait;
    }

private:
    std::chrono::milliseconds delay_{FIRST};
};

}  // namespace dhtpush::client
