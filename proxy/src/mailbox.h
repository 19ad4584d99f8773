#pragma once
// Undelivered messages per device, durable in the proxy's SQLite database: a message stays
// until the device acks it or its TTL runs out. Thread-safe (the database's mutex).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/message_json.h"
#include "sqlite_db.h"

namespace dhtpush::proxy {

struct MailboxLimits {
    std::size_t deviceMessages{1000};
    std::size_t deviceBytes{4 * 1024 * 1024};
    std::size_t subscriptionMessages{100};
    std::size_t subscriptionBytes{256 * 1024};
    // How long an acked id the proxy never stored is remembered: a copy may still come
    // through the DHT until the value expires there.
    std::int64_t unknownAckMemoryMs{11 * 60 * 1000};
    // Acked ids remembered per device, for messages this proxy never stored (a device on
    // two proxies acks on both): past it such acks are not remembered. The ids of stored
    // messages are always remembered (their number is bounded by the quotas above).
    std::size_t unknownAcksPerDevice{10000};
};

// A message admitted to the mailbox, with its seq, waiting to be written.
struct MailboxEntry {
    std::int64_t seq{0};
    std::string deviceId;
    std::string token;
    std::string messageId;
    std::string topic;
    std::int64_t createdMs{0};
    std::int64_t expiresMs{0};
    crypto::Bytes envelope;  // encoded
};

// What store() did with one entry.
enum class StoreOutcome { Written, Skipped, Orphaned, Full };

struct StoreResult {
    std::size_t written{0};
    std::size_t skipped{0};   // acked, or stored by another entry, since admit()
    std::size_t orphaned{0};  // their subscription was removed meanwhile
    std::size_t full{0};      // over a quota: not kept (a connected device had it already)
    std::vector<StoreOutcome> outcomes;  // one per entry, in order
};

struct StoredMessage {
    std::int64_t seq;  // increasing in arrival order: the event id of the stream
    node::DeliveredMessage message;
};

class Mailbox {
public:
    Mailbox(std::shared_ptr<Database> db, MailboxLimits limits) : db_(std::move(db)), limits_(limits) {}

    // StorageFull when one more message of `size` bytes on this subscription would pass a
    // quota; a message replacing one with the same Topic takes that one's room.
    Status checkRoom(const std::string& deviceId, const std::string& token, const std::string& topic, std::size_t size);
    // Whether the message is new to the device, reading only: false for one already stored
    // or acked, or older than the stored message with the same Topic.
    Expected<bool> isNew(const MailboxEntry& entry);
    // isNew(), and on true the entry gets its seq: the caller may hand the message to a
    // connected device before store() writes it, so the device does not wait for the commit.
    Expected<bool> admit(MailboxEntry& entry);
    // Writes admitted entries in one transaction. An entry acked meanwhile, whose
    // subscription was removed, or over a quota is skipped; a Topic entry replaces older ones.
    Expected<StoreResult> store(const std::vector<MailboxEntry>& entries);
    // admit() then store(): the seq, or nullopt when admit() says no; StorageFull over a quota. or nullopt for a message already stored or
    // already acked, or older than the stored message with the same Topic. A message with a
    // Topic replaces the older unacked one with that Topic on the same subscription (DHT
    // copies may arrive out of order: the creation time decides). StorageFull when a quota
    // is reached.
    Expected<std::optional<std::int64_t>> enqueue(const std::string& deviceId, const node::DeliveredMessage& message,
                                                  std::int64_t expiresMs);
    // Unacked, unexpired messages with seq > afterSeq, in order.
    Expected<std::vector<StoredMessage>> pending(const std::string& deviceId, std::int64_t afterSeq, std::int64_t nowMs);
    // Whether the device's messages and their bytes, and those of each of these subscriptions,
    // are at most half their quotas: room for what the DHT hands over again after the mailbox
    // was full (DeliveryHub).
    Expected<bool> atMostHalfFull(const std::string& deviceId, const std::vector<std::string>& tokens);
    // Deletes the device's messages with these ids and remembers the ids (unknown ones too,
    // for a copy that has not arrived yet). Returns how many messages were deleted.
    Expected<std::size_t> ack(const std::string& deviceId, const std::vector<std::string>& messageIds);
    // Drops expired messages and forgets expired acks; returns the messages dropped.
    Expected<std::size_t> pruneExpired(std::int64_t nowMs);
    // Messages held for all devices, and their bytes (for /metrics and the status page). A
    // count over the whole table, so counted at most once per TOTALS_MAX_AGE: anyone may ask
    // for those pages as often as they like.
    struct Totals {
        std::int64_t messages{0}, bytes{0};
    };
    static constexpr std::chrono::seconds TOTALS_MAX_AGE{5};
    Expected<Totals> totals();

    static MailboxEntry entryFor(const std::string& deviceId, const node::DeliveredMessage& message,
                                 std::int64_t expiresMs);

private:
    Expected<bool> isNewLocked(const MailboxEntry& entry);
    Expected<std::int64_t> nextSeqLocked();
    Status checkRoomLocked(const std::string& deviceId, const std::string& token, const std::string& topic,
                           std::size_t size);

    std::shared_ptr<Database> db_;
    MailboxLimits limits_;
    std::int64_t nextSeq_{0};        // 0 until read from the database
    std::int64_t reservedUntil_{0};  // seqs up to this one may be handed out
    std::optional<Totals> totals_;   // the last count, and when it was made; under db_'s mutex
    std::chrono::steady_clock::time_point totalsAt_{};
};

}  // namespace dhtpush::proxy
