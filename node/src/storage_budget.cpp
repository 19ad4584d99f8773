#include "storage_budget.h"

namespace dhtpush::node {

StorageBudget::StorageBudget(StorageLimits limits) : limits_(limits) {}

StorageBudget::Verdict StorageBudget::admit(const crypto::DhtKey& key, std::size_t bytes, Clock::time_point now) {
    const auto cost = bytes + VALUE_OVERHEAD;
    std::lock_guard<std::mutex> lock(mutex_);
    letGo(now);
    if (bytes_ + cost > limits_.maxBytes) {
        ++refused_;
        return Verdict::StorageFull;
    }
    auto& count = perKey_[key];
    if (count >= limits_.maxValuesPerKey) {
        ++refused_;
        return Verdict::KeyFull;
    }
    ++count;
    bytes_ += cost;
    admitted_.push_back({now + limits_.lifetime, key, cost});
    return Verdict::Admitted;
}

void StorageBudget::letGo(Clock::time_point now) {
    while (!admitted_.empty() && admitted_.front().end <= now) {
        const auto& done = admitted_.front();
        bytes_ -= done.cost;
        auto it = perKey_.find(done.key);
        if (it != perKey_.end() && --it->second == 0) perKey_.erase(it);
        admitted_.pop_front();
    }
}

std::size_t StorageBudget::bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
}

std::size_t StorageBudget::values() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return admitted_.size();
}

std::uint64_t StorageBudget::refused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return refused_;
}

}  // namespace dhtpush::node
