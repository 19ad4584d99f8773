#include "slot_seen_values.h"

#include <algorithm>

namespace dhtpush::node {

bool SlotSeenValues::firstTime(const std::string& tag, std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = seen_.find(tag);
    return it == seen_.end() || it->second.insert(id).second;
}

void SlotSeenValues::keepOnly(const std::vector<std::string>& tags) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = seen_.begin(); it != seen_.end();) {
        if (std::find(tags.begin(), tags.end(), it->first) == tags.end()) it = seen_.erase(it);
        else ++it;
    }
    for (const auto& tag : tags) seen_[tag];
}

std::size_t SlotSeenValues::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t n = 0;
    for (const auto& [tag, ids] : seen_) n += ids.size();
    return n;
}

}  // namespace dhtpush::node
