#pragma once
// Receives a device's messages from all of its proxies at once: one stream per proxy,
// reconnecting with backoff and jitter, dropping duplicates (two proxies deliver the same
// message) within a bounded window of recent message ids.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "dhtpush/expected.h"
#include "dhtpush/node/message_json.h"

namespace dhtpush::client {

// Remembers the last `capacity` ids; insert() is false for an id seen within that window.
class RecentIds {
public:
    explicit RecentIds(std::size_t capacity) : capacity_(capacity) {}
    bool insert(const std::string& id);
    bool contains(const std::string& id) const;

private:
    std::size_t capacity_;
    std::deque<std::string> order_;
    std::unordered_set<std::string> ids_;
};

// One line of `dhtpush listen`: the message as JSON, plus "text" when its plaintext is UTF-8.
// A subscription with keys (every one `dhtpush subscribe` makes) takes only aes128gcm bodies
// that decrypt with its keys: RFC 8291's auth secret is the only proof that the app server
// wrote it, so anything else is an error (Forbidden, or the decryption's error) and is never
// shown. NotFound for a token the state does not hold. A subscription without keys (made by
// hand) shows the body as it came.
Expected<std::string> listenLine(const node::DeliveredMessage& message, const DeviceState& state);

// What a message handler did with a message.
enum class Disposition {
    Handed,   // handed on: acknowledged to every proxy, and a copy from another proxy is dropped
    Dropped,  // refused: acknowledged to the proxy it came from only (a forged copy carrying a
              // real message's id must not shadow the real one arriving from another proxy)
    Kept,     // not handed now: left unacknowledged in the proxies' mailboxes for a later session,
              // or until handedLater() names it
};

class MessageListener {
public:
    // Called for each message dropped by listenLine, with why (no secret, no token).
    using DropCallback = std::function<void(const std::string& messageId, const Error& why)>;
    // Decides each message's fate; called one message at a time.
    using Handler = std::function<Disposition(const node::DeliveredMessage&)>;

    explicit MessageListener(DeviceState state) : state_(std::move(state)) {}
    // Blocks until `count` messages were handed on (0: no limit) or `stop` is set. Dropped
    // messages are acknowledged (the proxy must not send them again) and counted, not handed.
    // Fails only when every proxy refuses the device (401, 403, 404).
    Status run(std::uint32_t count, const std::atomic<bool>& stop, const std::function<void(const std::string&)>& onLine,
               const DropCallback& onDropped = {});
    // The same with any handler: one stream per proxy of the state, duplicates across proxies
    // dropped before `handle` sees them.
    Status serve(std::uint32_t count, const std::atomic<bool>& stop, const Handler& handle);
    std::size_t dropped() const { return dropped_; }
    // A message the handler Kept, handed on since (from any thread, while serve() runs): it is
    // acknowledged to every proxy with the next batch, and its copies are dropped from now on.
    // False when serve() is not running: the caller acknowledges it itself.
    bool handedLater(const std::string& messageId);
    // The lowest urgency taken from the proxies, from any thread (RFC 8030 §5.3; a device on
    // battery takes fewer wake-ups). serve() reopens its streams when it changes; the
    // messages below it wait in the proxies' mailboxes until it is lowered again.
    void setMinUrgency(node::Urgency urgency) { minUrgency_ = urgency; }
    // From any thread, while serve() runs: the proxies no stream could reach for at least
    // `span` (each connection attempt failed since), the ones a device should replace.
    std::vector<std::string> unreachableFor(std::chrono::steady_clock::duration span) const;
    // From any thread, while serve() runs: the proxies whose stream has been open for at least
    // `span` without a message (what they held for the device has come).
    std::vector<std::string> quietFor(std::chrono::steady_clock::duration span) const;
    // Between two serve() calls: the proxies and subscriptions changed (a proxy replaced).
    // The ids of messages already handed are kept, so copies from a new proxy are dropped.
    void setState(DeviceState state);
    // Messages handed on over every serve() call.
    std::size_t handed() const { return handedTotal_; }

private:
    DeviceState state_;
    std::atomic<std::size_t> dropped_{0};
    std::atomic<std::size_t> handedTotal_{0};
    std::atomic<node::Urgency> minUrgency_{node::Urgency::VeryLow};
    static constexpr std::size_t RECENT_IDS = 4096;  // ids remembered against copies from other proxies
    // serve()'s state, shared with handedLater(); guarded by serveMutex_.
    std::mutex serveMutex_;
    bool serving_{false};
    std::optional<RecentIds> seen_;
    // Acks waiting to reach each proxy. Kept on failure and sent again, so a proxy that was
    // down learns on its return what the device already has.
    std::vector<std::vector<std::string>> pendingAcks_;
    // By proxy: since when every attempt to reach it failed; unset while it answers.
    // The proxies whose entry in `since` (one of the two below) is at least `span` old.
    std::vector<std::string> proxiesSince(const std::vector<std::optional<std::chrono::steady_clock::time_point>>& since,
                                          std::chrono::steady_clock::duration span) const;
    mutable std::mutex reachMutex_;
    std::vector<std::optional<std::chrono::steady_clock::time_point>> downSince_;
    // By proxy: while its stream is open, since when it brought nothing (its opening, or its
    // last message); unset while closed.
    std::vector<std::optional<std::chrono::steady_clock::time_point>> quietSince_;
};

}  // namespace dhtpush::client
