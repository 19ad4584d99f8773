#pragma once
// Which values a watch of a slotted inbox (node/inbox_keys.h) has handed over, by slot tag.
//
// Why it exists: OpenDHT 2.4 (and its sources up to 4.3) drops every value a storing node
// reports to a listen whose query has a Where: OpCache::onValuesAdded filters them with
// Value::Filter::filter(vector), which tests a Value converted from the shared_ptr (a
// USER_DATA wrapper of the packed value, without the user_type) instead of the value. Values
// put into this node's own storage reach the listen, the others only its cache. So a slotted
// watch also asks, every few seconds, for what its listens hold (a get with the same Where, which
// OpenDHT answers from that cache with a correct filter), and this keeps each value from being
// handed over more than once. Thread-safe.
//
// Bounded: it keeps ids only for the tags given to keepOnly (the slots listened to and the
// ones whose listens just ended, whose values OpenDHT holds anyway), and forgets a slot's ids
// one move after its listens end. A value of any other tag is always new: the hub's message
// ids still catch a repeat.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace dhtpush::node {

class SlotSeenValues {
public:
    // True unless `id` was seen under `tag` before (for a tag kept).
    bool firstTime(const std::string& tag, std::uint64_t id);
    // From now on, the ids of these tags only; the others' are forgotten.
    void keepOnly(const std::vector<std::string>& tags);
    std::size_t size() const;  // ids held

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::unordered_set<std::uint64_t>> seen_;
};

}  // namespace dhtpush::node
