#pragma once
// Waiting on a condition with a deadline: the only way tests synchronise with
// other threads and processes.
#include <chrono>
#include <thread>

namespace dhtpush::test {

template <class Predicate>
bool waitUntil(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) return predicate();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not synchronisation
    }
    return true;
}

}  // namespace dhtpush::test
