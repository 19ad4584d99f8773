#pragma once
// Receives a device's messages from all of its proxies at once: one stream per proxy,
// reconnecting with backoff and jitter, dropping duplicates (two proxies deliver the same
// message) within a bounded window of recent message ids.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>

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

class MessageListener {
public:
    // Called for each message dropped by listenLine, with why (no secret, no token).
    using DropCallback = std::function<void(const std::string& messageId, const Error& why)>;

    explicit MessageListener(DeviceState state) : state_(std::move(state)) {}
    // Blocks until `count` messages were handed on (0: no limit) or `stop` is set. Dropped
    // messages are acknowledged (the proxy must not send them again) and counted, not handed.
    // Fails only when every proxy refuses the device (401, 403, 404).
    Status run(std::uint32_t count, const std::atomic<bool>& stop, const std::function<void(const std::string&)>& onLine,
               const DropCallback& onDropped = {});
    std::size_t dropped() const { return dropped_; }

private:
    DeviceState state_;
    std::atomic<std::size_t> dropped_{0};
};

}  // namespace dhtpush::client
