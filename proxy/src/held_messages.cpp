#include "held_messages.h"

namespace dhtpush::proxy {

std::size_t HeldMessages::sizeOf(const MailboxEntry& e) {
    // A list node's two links; an index node (key, iterator, next link, cached hash) and its
    // bucket's slot.
    constexpr std::size_t LIST_NODE = 2 * sizeof(void*);
    constexpr std::size_t INDEX_NODE = sizeof(std::string_view) + sizeof(Entries::iterator) + 3 * sizeof(void*);
    return sizeof(MailboxEntry) + LIST_NODE + INDEX_NODE + e.envelope.size() + e.deviceId.size() + e.token.size() +
           e.messageId.size() + e.topic.size();
}

bool HeldMessages::hold(MailboxEntry entry) {
    const auto size = sizeOf(entry);
    auto& queue = byDevice_[entry.deviceId];
    if (bytes_ + size > limits_.bytes || queue.bytes + size > limits_.bytesPerDevice) {
        if (queue.entries.empty()) byDevice_.erase(entry.deviceId);
        return false;
    }
    add(queue, queue.entries.insert(queue.entries.end(), std::move(entry)));
    return true;
}

std::vector<MailboxEntry> HeldMessages::take(const std::string& deviceId, std::size_t count) {
    std::vector<MailboxEntry> out;
    auto it = byDevice_.find(deviceId);
    if (it == byDevice_.end()) return out;
    auto& queue = it->second;
    while (!queue.entries.empty() && out.size() < count) {
        forget(queue, queue.entries.begin());
        out.push_back(std::move(queue.entries.front()));
        queue.entries.pop_front();
    }
    if (queue.entries.empty()) byDevice_.erase(it);
    return out;
}

void HeldMessages::putBack(const std::string& deviceId, std::vector<MailboxEntry> entries) {
    if (entries.empty()) return;
    // They were held a moment ago, so they fit the bounds they left; nothing came in between
    // (the same strand).
    auto& queue = byDevice_[deviceId];
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        add(queue, queue.entries.insert(queue.entries.begin(), std::move(*it)));
}

bool HeldMessages::contains(const MailboxEntry& entry) const {
    const auto it = byDevice_.find(entry.deviceId);
    if (it == byDevice_.end()) return false;
    const auto [first, last] = it->second.byId.equal_range(std::string_view(entry.messageId));
    for (auto found = first; found != last; ++found)
        if (found->second->token == entry.token) return true;
    return false;
}

std::size_t HeldMessages::dropAcked(const std::string& deviceId, const std::vector<std::string>& messageIds) {
    auto it = byDevice_.find(deviceId);
    if (it == byDevice_.end()) return 0;
    auto& queue = it->second;
    std::size_t dropped = 0;
    for (const auto& id : messageIds) {
        // One at a time: forget() edits the index that equal_range would walk.
        for (auto found = queue.byId.find(id); found != queue.byId.end(); found = queue.byId.find(id)) {
            const auto entry = found->second;
            forget(queue, entry);
            queue.entries.erase(entry);
            ++dropped;
        }
    }
    if (queue.entries.empty()) byDevice_.erase(it);
    return dropped;
}

void HeldMessages::drop(const std::string& deviceId, const std::string& token) {
    auto it = byDevice_.find(deviceId);
    if (it == byDevice_.end()) return;
    auto& queue = it->second;
    for (auto e = queue.entries.begin(); e != queue.entries.end();) {
        if (!token.empty() && e->token != token) {
            ++e;
            continue;
        }
        forget(queue, e);
        e = queue.entries.erase(e);
    }
    if (queue.entries.empty()) byDevice_.erase(it);
}

std::vector<std::string> HeldMessages::devices() const {
    std::vector<std::string> out;
    out.reserve(byDevice_.size());
    for (const auto& [device, queue] : byDevice_) out.push_back(device);
    return out;
}

void HeldMessages::add(Queue& queue, Entries::iterator entry) {
    const auto size = sizeOf(*entry);
    queue.byId.emplace(std::string_view(entry->messageId), entry);
    queue.bytes += size;
    bytes_ += size;
    ++messages_;
}

void HeldMessages::forget(Queue& queue, Entries::iterator entry) {
    auto [first, last] = queue.byId.equal_range(std::string_view(entry->messageId));
    for (auto it = first; it != last; ++it)
        if (it->second == entry) {
            queue.byId.erase(it);
            break;
        }
    const auto size = sizeOf(*entry);
    queue.bytes -= size;
    bytes_ -= size;
    --messages_;
}

}  // namespace dhtpush::proxy
