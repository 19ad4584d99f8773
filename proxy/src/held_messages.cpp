#include "held_messages.h"

namespace dhtpush::proxy {

std::size_t HeldMessages::sizeOf(const MailboxEntry& e) {
    constexpr std::size_t QUEUE_SHARE = 16;  // a deque's slot, and its blocks' slack
    return sizeof(MailboxEntry) + QUEUE_SHARE + e.envelope.size() + e.deviceId.size() + e.token.size() +
           e.messageId.size() + e.topic.size();
}

bool HeldMessages::hold(MailboxEntry entry) {
    const auto size = sizeOf(entry);
    auto& queue = byDevice_[entry.deviceId];
    if (bytes_ + size > limits_.bytes || queue.bytes + size > limits_.bytesPerDevice) {
        if (queue.entries.empty()) byDevice_.erase(entry.deviceId);
        return false;
    }
    add(queue, size);
    queue.entries.push_back(std::move(entry));
    return true;
}

std::vector<MailboxEntry> HeldMessages::take(const std::string& deviceId, std::size_t count) {
    std::vector<MailboxEntry> out;
    auto it = byDevice_.find(deviceId);
    if (it == byDevice_.end()) return out;
    auto& queue = it->second;
    while (!queue.entries.empty() && out.size() < count) {
        forget(queue, queue.entries.front());
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
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        add(queue, sizeOf(*it));
        queue.entries.push_front(std::move(*it));
    }
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
        forget(queue, *e);
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

void HeldMessages::add(Queue& queue, std::size_t size) {
    queue.bytes += size;
    bytes_ += size;
    ++messages_;
}

void HeldMessages::forget(Queue& queue, const MailboxEntry& entry) {
    const auto size = sizeOf(entry);
    queue.bytes -= size;
    bytes_ -= size;
    --messages_;
}

}  // namespace dhtpush::proxy
