#include "inbox_publisher.h"

namespace dhtpush::node {

InboxPublisher::InboxPublisher(Put put, std::size_t putsInFlight)
    : put_(std::move(put)), putsInFlight_(std::max<std::size_t>(1, putsInFlight)) {}

void InboxPublisher::publish(const crypto::DhtKey& key, BatchEntry entry, Done done) {
    std::vector<Waiting> batch;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++backlog_;
        auto& state = keys_[key];
        state.waiting.push_back({std::move(entry), std::move(done)});
        if (state.inFlight >= putsInFlight_) return;  // goes out with the next value
        batch = takeBatch(state);
    }
    send(key, std::move(batch));
}

std::size_t InboxPublisher::backlog() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return backlog_;
}

std::vector<InboxPublisher::Waiting> InboxPublisher::takeBatch(KeyState& state) {
    std::size_t bytes = 16, count = 0;  // 16: the map around the entries
    while (count < state.waiting.size() && count < MAX_BATCH_ENTRIES) {
        const auto entryBytes = batchEntryBytes(state.waiting[count].entry);
        if (count > 0 && bytes + entryBytes > MAX_BATCH_BYTES) break;
        bytes += entryBytes;
        ++count;
    }
    std::vector<Waiting> batch(std::make_move_iterator(state.waiting.begin()),
                               std::make_move_iterator(state.waiting.begin() + static_cast<std::ptrdiff_t>(count)));
    state.waiting.erase(state.waiting.begin(), state.waiting.begin() + static_cast<std::ptrdiff_t>(count));
    ++state.inFlight;
    return batch;
}

void InboxPublisher::send(const crypto::DhtKey& key, std::vector<Waiting> batch) {
    std::vector<BatchEntry> entries;
    std::vector<Done> dones;
    entries.reserve(batch.size());
    dones.reserve(batch.size());
    for (auto& w : batch) {
        entries.push_back(std::move(w.entry));
        dones.push_back(std::move(w.done));
    }
    ++valuesPut_;
    put_(key, encodeBatch(entries),
         [this, key, dones = std::move(dones)](bool ok) mutable { finished(key, std::move(dones), ok); });
}

void InboxPublisher::finished(const crypto::DhtKey& key, std::vector<Done> dones, bool ok) {
    std::vector<Waiting> next;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        backlog_ -= dones.size();
        auto it = keys_.find(key);
        if (it != keys_.end()) {
            --it->second.inFlight;
            if (!it->second.waiting.empty()) next = takeBatch(it->second);
            else if (it->second.inFlight == 0) keys_.erase(it);
        }
    }
    if (!next.empty()) send(key, std::move(next));
    for (auto& done : dones)
        if (done) done(ok);
}

}  // namespace dhtpush::node
