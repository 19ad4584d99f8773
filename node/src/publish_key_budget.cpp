#include "dhtpush/node/publish_key_budget.h"

namespace dhtpush::node {

PublishKeyBudget::PublishKeyBudget(std::size_t maxKeys, Clock::duration window) : maxKeys_(maxKeys), window_(window) {}

bool PublishKeyBudget::admit(const crypto::DhtKey& key, Clock::time_point now) {
    if (maxKeys_ == 0) return true;
    if (auto it = index_.find(key); it != index_.end()) {
        it->second->at = now;
        byUse_.splice(byUse_.end(), byUse_, it->second);
        return true;
    }
    while (!byUse_.empty() && now - byUse_.front().at >= window_) {
        index_.erase(byUse_.front().key);
        byUse_.pop_front();
    }
    if (byUse_.size() >= maxKeys_) return false;
    byUse_.push_back({key, now});
    index_.emplace(key, std::prev(byUse_.end()));
    return true;
}

}  // namespace dhtpush::node
