#include "dhtpush/client/message_listener.h"

#include <chrono>
#include <deque>
#include <random>
#include <thread>
#include <vector>

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/utf8_text.h"
#include "dhtpush/node/json.h"
#include "message_decryptor.h"
#include "reconnect_backoff.h"

namespace dhtpush::client {
namespace {

constexpr std::size_t MAX_PENDING_ACKS = 10000;

bool isFatal(Errc code) { return code == Errc::Unauthorized || code == Errc::Forbidden || code == Errc::NotFound; }

// Sleeps in small steps so that a stop request ends the wait at once.
void waitFor(std::chrono::milliseconds delay, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

bool RecentIds::contains(const std::string& id) const { return ids_.count(id) > 0; }

bool RecentIds::insert(const std::string& id) {
    if (ids_.count(id)) return false;
    ids_.insert(id);
    order_.push_back(id);
    if (order_.size() > capacity_) {
        ids_.erase(order_.front());
        order_.pop_front();
    }
    return true;
}

Expected<std::string> listenLine(const node::DeliveredMessage& message, const DeviceState& state) {
    const auto* sub = state.findSubscription(message.token);
    if (!sub) return makeError(Errc::NotFound, "the message is for a subscription this device does not hold");
    const bool hasKeys = !sub->p256dh.empty() || !sub->auth.empty() || !sub->privateKey.empty();
    if (hasKeys && message.envelope.encoding != "aes128gcm")
        return makeError(Errc::Forbidden, "a subscription with keys takes only aes128gcm bodies; this one is '" +
                                              message.envelope.encoding + "'");
    auto plaintext = decryptMessage(message, state);
    if (!plaintext) return plaintext.error();
    auto parsed = node::parseJson(node::messageToJson(message));
    Json::Value line = parsed ? *parsed : Json::Value(Json::objectValue);
    line["endpoint"] = sub->endpoint;
    if (isCleanUtf8(std::string_view(reinterpret_cast<const char*>(plaintext->data()), plaintext->size()), true))
        line["text"] = crypto::toString(*plaintext);
    return node::writeJson(line);
}

Status MessageListener::run(std::uint32_t count, const std::atomic<bool>& stop,
                            const std::function<void(const std::string&)>& onLine, const DropCallback& onDropped) {
    return serve(count, stop, [&](const node::DeliveredMessage& message) {
        auto line = listenLine(message, state_);
        if (!line) {
            if (onDropped) onDropped(message.envelope.idText(), line.error());
            return Disposition::Dropped;
        }
        onLine(*line);
        return Disposition::Handed;
    });
}

Status MessageListener::serve(std::uint32_t count, const std::atomic<bool>& stop, const Handler& handle) {
    const auto& proxies = state_.proxies;
    auto& mutex = serveMutex_;
    {
        std::lock_guard<std::mutex> lock(mutex);
        serving_ = true;
        if (!seen_) seen_.emplace(RECENT_IDS);
        pendingAcks_.assign(proxies.size(), {});
    }
    {
        std::lock_guard<std::mutex> lock(reachMutex_);
        downSince_.assign(proxies.size(), std::nullopt);
        quietSince_.assign(proxies.size(), std::nullopt);
    }
    auto reached = [this](std::size_t p, bool yes) {
        std::lock_guard<std::mutex> lock(reachMutex_);
        if (yes) downSince_[p].reset();
        else if (!downSince_[p]) downSince_[p] = std::chrono::steady_clock::now();
    };
    // A stream opened (true), brought a message (true) or ended (false).
    auto streaming = [this](std::size_t p, bool open) {
        std::lock_guard<std::mutex> lock(reachMutex_);
        if (open) quietSince_[p] = std::chrono::steady_clock::now();
        else quietSince_[p].reset();
    };
    auto& seen = *seen_;
    auto& pendingAcks = pendingAcks_;
    std::uint32_t handed = 0;
    std::atomic<bool> done{false};
    std::atomic<std::size_t> refused{0};
    Error lastError{Errc::Unavailable, ""};
    auto onMessage = [&](std::size_t from, const node::DeliveredMessage& message) {
        streaming(from, true);
        std::lock_guard<std::mutex> lock(mutex);
        if (done) return false;  // not taken: it stays unacked for the next session
        const auto id = message.envelope.idText();
        if (seen.contains(id)) {
            pendingAcks[from].push_back(id);  // a copy of one shown: this proxy still holds it
            return true;
        }
        switch (handle(message)) {
        case Disposition::Dropped:
            // Acknowledged where it came from only, so that proxy does not send it again, and
            // not remembered. It does not count towards `count`.
            pendingAcks[from].push_back(id);
            ++dropped_;
            return true;
        case Disposition::Kept:
            return true;  // taken from this stream, acknowledged nowhere
        case Disposition::Handed:
            break;
        }
        seen.insert(id);
        for (auto& acks : pendingAcks) acks.push_back(id);  // handed on first, acknowledged after
        ++handedTotal_;
        if (count && ++handed >= count) done = true;
        return true;
    };
    auto flushAcks = [&] {
        for (std::size_t p = 0; p < proxies.size(); ++p) {
            std::vector<std::string> batch;
            {
                std::lock_guard<std::mutex> lock(mutex);
                batch.swap(pendingAcks[p]);
            }
            if (batch.empty()) continue;
            if (acknowledge(proxies[p], batch)) continue;
            std::lock_guard<std::mutex> lock(mutex);
            auto& acks = pendingAcks[p];
            acks.insert(acks.begin(), batch.begin(), batch.end());
            if (acks.size() > MAX_PENDING_ACKS) acks.erase(acks.begin(), acks.end() - MAX_PENDING_ACKS);
        }
    };
    std::atomic<bool> stopAll{false};
    // Set to end one proxy's stream: at stop, and when the minimum urgency changes.
    std::deque<std::atomic<bool>> endStream(proxies.size());
    auto endStreams = [&] {
        for (auto& flag : endStream) flag = true;
    };
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < proxies.size(); ++p) {
        threads.emplace_back([&, p] {
            std::mt19937 rng(std::random_device{}());
            ReconnectBackoff backoff;
            std::string lastEventId;  // resume point on this proxy across reconnects
            auto resumeUrgency = node::Urgency::VeryLow;  // of the stream that set lastEventId
            while (!stopAll) {
                // Cleared before the urgency is read: a change after the read ends this stream.
                endStream[p] = false;
                if (stopAll) break;
                const auto urgency = minUrgency_.load();
                // The messages a stream of a higher minimum let through lie before its resume
                // point: a lowered minimum starts from the mailbox's beginning (copies already
                // handed are dropped as duplicates and acknowledged again).
                if (urgency < resumeUrgency) lastEventId.clear();
                resumeUrgency = urgency;
                const auto opened = std::chrono::steady_clock::now();
                auto result = streamMessages(proxies[p], [&](const node::DeliveredMessage& m) { return onMessage(p, m); },
                                             endStream[p], &lastEventId, urgency, [&] {
                                                 reached(p, true);
                                                 streaming(p, true);
                                             });
                streaming(p, false);
                // A transport failure (not an HTTP answer) starts or continues an outage.
                reached(p, result || result.error().code != Errc::Unavailable);
                if (stopAll) break;
                if (endStream[p]) continue;  // ended for a new minimum urgency: reopen at once
                if (!result && isFatal(result.error().code)) {
                    std::lock_guard<std::mutex> lock(mutex);
                    lastError = result.error();
                    ++refused;
                    return;
                }
                waitFor(backoff.next(std::chrono::steady_clock::now() - opened, rng), stopAll);
            }
        });
    }
    auto streamsUrgency = minUrgency_.load();
    while (!stop && !done && refused < proxies.size()) {
        flushAcks();
        if (const auto now = minUrgency_.load(); now != streamsUrgency) {
            streamsUrgency = now;
            endStreams();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // ack batching interval
    }
    stopAll = true;
    endStreams();
    for (auto& t : threads) t.join();
    {
        // Before the last flush: a handedLater() from now on acknowledges by itself.
        std::lock_guard<std::mutex> lock(mutex);
        serving_ = false;
    }
    flushAcks();  // what was printed is acknowledged before exit, where a proxy answers
    if (refused == proxies.size() && !done) return lastError;
    return success();
}

std::vector<std::string> MessageListener::proxiesSince(
    const std::vector<std::optional<std::chrono::steady_clock::time_point>>& since,
    std::chrono::steady_clock::duration span) const {
    std::vector<std::string> out;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(reachMutex_);
    for (std::size_t p = 0; p < since.size() && p < state_.proxies.size(); ++p)
        if (since[p] && now - *since[p] >= span) out.push_back(state_.proxies[p].url);
    return out;
}

std::vector<std::string> MessageListener::unreachableFor(std::chrono::steady_clock::duration span) const {
    return proxiesSince(downSince_, span);
}

std::vector<std::string> MessageListener::quietFor(std::chrono::steady_clock::duration span) const {
    return proxiesSince(quietSince_, span);
}

void MessageListener::setState(DeviceState state) {
    std::lock_guard<std::mutex> lock(serveMutex_);
    if (!serving_) state_ = std::move(state);
}

bool MessageListener::handedLater(const std::string& messageId) {
    std::lock_guard<std::mutex> lock(serveMutex_);
    if (!serving_) return false;
    seen_->insert(messageId);
    for (auto& acks : pendingAcks_) acks.push_back(messageId);
    return true;
}

}  // namespace dhtpush::client
