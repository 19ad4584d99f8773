#include "dhtpush/client/message_listener.h"

#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "dhtpush/client/device_client.h"
#include "dhtpush/node/json.h"
#include "message_decryptor.h"
#include "reconnect_backoff.h"

namespace dhtpush::client {
namespace {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, and no
// control characters but tab and newlines, so the text can be printed as it is.
bool isUtf8Text(const crypto::Bytes& bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::uint32_t c = bytes[i];
        std::size_t extra;
        std::uint32_t codePoint;
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
            if (c == 0x7f) return false;
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            codePoint = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            codePoint = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            codePoint = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= bytes.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= extra; ++k) {
            if ((bytes[i + k] & 0xc0) != 0x80) return false;
            codePoint = (codePoint << 6) | (bytes[i + k] & 0x3f);
        }
        static constexpr std::uint32_t MIN_FOR_LENGTH[] = {0, 0x80, 0x800, 0x10000};
        if (codePoint < MIN_FOR_LENGTH[extra] || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))
            return false;
        i += extra + 1;
    }
    return true;
}

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
    if (isUtf8Text(*plaintext)) line["text"] = crypto::toString(*plaintext);
    return node::writeJson(line);
}

Status MessageListener::run(std::uint32_t count, const std::atomic<bool>& stop,
                            const std::function<void(const std::string&)>& onLine, const DropCallback& onDropped) {
    const auto& proxies = state_.proxies;
    std::mutex mutex;
    RecentIds seen(4096);
    std::uint32_t handed = 0;
    std::atomic<bool> done{false};
    std::atomic<std::size_t> refused{0};
    Error lastError{Errc::Unavailable, ""};
    // Acks waiting to reach each proxy (guarded by mutex). Kept on failure and sent again,
    // so a proxy that was down learns on its return what the device already has.
    std::vector<std::vector<std::string>> pendingAcks(proxies.size());
    auto onMessage = [&](std::size_t from, const node::DeliveredMessage& message) {
        std::lock_guard<std::mutex> lock(mutex);
        if (done) return false;  // not taken: it stays unacked for the next session
        const auto id = message.envelope.idText();
        if (seen.contains(id)) {
            pendingAcks[from].push_back(id);  // a copy of one shown: this proxy still holds it
            return true;
        }
        auto line = listenLine(message, state_);
        if (!line) {
            // Acknowledged where it came from only, so that proxy does not send it again, and
            // not remembered: a forged copy carrying a real message's id must not shadow the
            // real one arriving from another proxy. It does not count towards `count`.
            pendingAcks[from].push_back(id);
            ++dropped_;
            if (onDropped) onDropped(id, line.error());
            return true;
        }
        seen.insert(id);
        for (auto& acks : pendingAcks) acks.push_back(id);  // handed on first, acknowledged after
        onLine(*line);
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
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < proxies.size(); ++p) {
        threads.emplace_back([&, p] {
            std::mt19937 rng(std::random_device{}());
            ReconnectBackoff backoff;
            std::string lastEventId;  // resume point on this proxy across reconnects
            while (!stopAll) {
                const auto opened = std::chrono::steady_clock::now();
                auto result = streamMessages(proxies[p], [&](const node::DeliveredMessage& m) { return onMessage(p, m); },
                                             stopAll, &lastEventId);
                if (stopAll) break;
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
    while (!stop && !done && refused < proxies.size()) {
        flushAcks();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // ack batching interval
    }
    stopAll = true;
    for (auto& t : threads) t.join();
    flushAcks();  // what was printed is acknowledged before exit, where a proxy answers
    if (refused == proxies.size() && !done) return lastError;
    return success();
}

}  // namespace dhtpush::client
