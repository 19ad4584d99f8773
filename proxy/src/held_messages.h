#pragma once
// Messages from the DHT that a full mailbox refused, held in memory until their device has
// room (DeliveryHub::releaseHeld): a device back after a while collects its full mailbox, and
// what came meanwhile follows at the pace it acks, instead of each refused message waiting for
// a refetch from the DHT (a whole inbox a pass, a pass a minute). Memory only: the DHT holds
// them too, and a restarted proxy gets them from it again when it watches its keys.
// Bounded per device and in all, in bytes, counting each entry's memory, not only its envelope:
// past a bound a message is not held (the hub has it refetched instead). A device's bound is
// what bridges an absence: at 500 messages/s, 20 s are 10,000 messages, about 6 MiB. Not
// thread-safe: the hub's strand.
#include <cstddef>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mailbox.h"

namespace dhtpush::proxy {

struct HeldLimits {
    std::size_t bytesPerDevice{8 * 1024 * 1024};  // a quarter of all, by default
    std::size_t bytes{32 * 1024 * 1024};          // all devices
};

class HeldMessages {
public:
    explicit HeldMessages(HeldLimits limits) : limits_(limits) {}

    // Held after the device's others; false when a bound is in the way.
    bool hold(MailboxEntry entry);
    // Up to `count` of the device's oldest, taken out.
    std::vector<MailboxEntry> take(const std::string& deviceId, std::size_t count);
    // Entries take() gave that found no room yet, back in front, in their order.
    void putBack(const std::string& deviceId, std::vector<MailboxEntry> entries);
    // The device's held messages with these ids, dropped: it acked them, having had them on a
    // stream while they waited here. Returns how many.
    std::size_t dropAcked(const std::string& deviceId, const std::vector<std::string>& messageIds);
    // Everything of a device that went, or of a subscription (empty token: the device's all).
    void drop(const std::string& deviceId, const std::string& token = {});
    // The devices holding messages, by id.
    std::vector<std::string> devices() const;
    bool holds(const std::string& deviceId) const { return byDevice_.count(deviceId) > 0; }
    // Whether this message (device, subscription and id) is held.
    bool contains(const MailboxEntry& entry) const;
    // What one entry costs here: its envelope, its strings, its list node and its index entry.
    static std::size_t sizeOf(const MailboxEntry& entry);

    std::size_t messages() const { return messages_; }
    std::size_t bytes() const { return bytes_; }

private:
    using Entries = std::list<MailboxEntry>;  // stable nodes: the index points into them
    struct Queue {
        Entries entries;
        // By message id (a view of the entry's own): an ack drops what it names in its place.
        std::unordered_multimap<std::string_view, Entries::iterator> byId;
        std::size_t bytes{0};
    };
    void add(Queue& queue, Entries::iterator entry);
    // Unindexed and uncounted; the caller erases or moves the entry.
    void forget(Queue& queue, Entries::iterator entry);

    HeldLimits limits_;
    std::map<std::string, Queue> byDevice_;  // ordered: the hub's tick takes devices in turn by index
    std::size_t messages_{0}, bytes_{0};
};

}  // namespace dhtpush::proxy
