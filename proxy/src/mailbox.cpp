#include "mailbox.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>

namespace dhtpush::proxy {
namespace {

// Commits on success, rolls back otherwise: a message is stored whole or not at all.
class Transaction {
public:
    explicit Transaction(Database& db) : db_(db) { ok_ = db_.exec("BEGIN IMMEDIATE").ok(); }
    ~Transaction() {
        if (ok_ && !committed_) db_.exec("ROLLBACK");
    }
    bool ok() const { return ok_; }
    Status commit() {
        committed_ = true;
        return db_.exec("COMMIT");
    }

private:
    Database& db_;
    bool ok_{false};
    bool committed_{false};
};

struct Usage {
    std::int64_t messages{0}, bytes{0};
};

Usage usage(Database& db, const char* sql, const std::string& key) {
    Statement s(db, sql);
    s.bind(1, key);
    Usage u;
    if (s.step() == SQLITE_ROW) u = {s.integer(0), s.integer(1)};
    return u;
}

}  // namespace

Status Mailbox::checkRoom(const std::string& deviceId, const std::string& token, const std::string& topic,
                          std::size_t size) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    return checkRoomLocked(deviceId, token, topic, size);
}

Status Mailbox::checkRoomLocked(const std::string& deviceId, const std::string& token, const std::string& topic,
                                std::size_t size) {
    Usage replaced;
    if (!topic.empty()) {
        Statement s(*db_, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mailbox WHERE token = ? AND topic = ?");
        s.bind(1, token).bind(2, topic);
        if (s.step() == SQLITE_ROW) replaced = {s.integer(0), s.integer(1)};
    }
    const auto perSub = usage(*db_, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mailbox WHERE token = ?", token);
    const auto perDevice = usage(*db_, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mailbox WHERE device_id = ?", deviceId);
    const auto bytes = static_cast<std::int64_t>(size);
    auto full = [&](Usage u, std::size_t maxMessages, std::size_t maxBytes) {
        return u.messages - replaced.messages + 1 > static_cast<std::int64_t>(maxMessages) ||
               u.bytes - replaced.bytes + bytes > static_cast<std::int64_t>(maxBytes);
    };
    if (full(perSub, limits_.subscriptionMessages, limits_.subscriptionBytes))
        return makeError(Errc::StorageFull, "the mailbox of this subscription is full until the device collects it");
    if (full(perDevice, limits_.deviceMessages, limits_.deviceBytes))
        return makeError(Errc::StorageFull, "the mailbox of this device is full until it collects it");
    return success();
}

Expected<bool> Mailbox::atMostHalfFull(const std::string& deviceId, const std::vector<std::string>& tokens) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    const auto half = [](Usage u, std::size_t maxMessages, std::size_t maxBytes) {
        return u.messages <= static_cast<std::int64_t>(maxMessages / 2) &&
               u.bytes <= static_cast<std::int64_t>(maxBytes / 2);
    };
    if (!half(usage(*db_, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mailbox WHERE device_id = ?", deviceId),
              limits_.deviceMessages, limits_.deviceBytes))
        return false;
    for (const auto& token : tokens)
        if (!half(usage(*db_, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mailbox WHERE token = ?", token),
                  limits_.subscriptionMessages, limits_.subscriptionBytes))
            return false;
    return true;
}

MailboxEntry Mailbox::entryFor(const std::string& deviceId, const node::DeliveredMessage& m, std::int64_t expiresMs) {
    return {0,
            deviceId,
            m.token,
            m.envelope.idText(),
            m.envelope.topic,
            static_cast<std::int64_t>(m.envelope.createdMs),
            expiresMs,
            node::encodeEnvelope(m.envelope)};
}

Expected<std::optional<std::int64_t>> Mailbox::enqueue(const std::string& deviceId, const node::DeliveredMessage& m,
                                                       std::int64_t expiresMs) {
    auto entry = entryFor(deviceId, m, expiresMs);
    auto admitted = admit(entry);
    if (!admitted) return admitted.error();
    if (!*admitted) return std::optional<std::int64_t>{};
    auto stored = store({entry});
    if (!stored) return stored.error();
    if (stored->orphaned) return makeError(Errc::NotFound, "the subscription was removed");
    if (stored->full) return makeError(Errc::StorageFull, "the mailbox is full until the device collects it");
    if (!stored->written) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{entry.seq};
}

Expected<bool> Mailbox::isNew(const MailboxEntry& e) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    return isNewLocked(e);
}

Expected<bool> Mailbox::admit(MailboxEntry& e) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    auto fresh = isNewLocked(e);
    if (!fresh || !*fresh) return fresh;
    auto seq = nextSeqLocked();
    if (!seq) return seq.error();
    e.seq = *seq;
    return true;
}

Expected<bool> Mailbox::isNewLocked(const MailboxEntry& e) {
    Statement known(*db_,
                    "SELECT 1 FROM mailbox WHERE token = ?1 AND message_id = ?2 "
                    "UNION ALL SELECT 1 FROM acked WHERE device_id = ?3 AND message_id = ?2");
    known.bind(1, e.token).bind(2, e.messageId).bind(3, e.deviceId);
    const int rc = known.step();
    if (rc == SQLITE_ROW) return false;
    if (rc != SQLITE_DONE) return db_->error("look up message");
    if (!e.topic.empty()) {  // RFC 8030 §5.4: DHT copies may arrive out of order, the creation time decides
        Statement newer(*db_,
                        "SELECT 1 FROM mailbox WHERE token = ?1 AND topic = ?2 AND created_ms > ?3 "
                        "UNION ALL SELECT 1 FROM topics WHERE token = ?1 AND topic = ?2 AND created_ms > ?3");
        newer.bind(1, e.token).bind(2, e.topic).bind(3, e.createdMs);
        if (newer.step() == SQLITE_ROW) return false;
    }
    return true;
}

// Seqs are handed out from a block whose end is written first: after a crash the next seq
// starts past the block, so an event id a device saw is never reused for another message.
Expected<std::int64_t> Mailbox::nextSeqLocked() {
    constexpr std::int64_t BLOCK = 1 << 16;
    if (nextSeq_ == 0) {
        Statement last(*db_,
                       "SELECT MAX(v) FROM (SELECT seq AS v FROM sqlite_sequence WHERE name = 'mailbox' "
                       "UNION ALL SELECT value FROM meta WHERE name = 'seq_reserved')");
        if (last.step() != SQLITE_ROW) return db_->error("read seq");
        reservedUntil_ = last.integer(0);
        nextSeq_ = reservedUntil_ + 1;
    }
    if (nextSeq_ > reservedUntil_) {
        Statement reserve(*db_, "INSERT OR REPLACE INTO meta(name, value) VALUES ('seq_reserved', ?)");
        reserve.bind(1, nextSeq_ + BLOCK - 1);
        if (reserve.step() != SQLITE_DONE) return db_->error("reserve seq");
        reservedUntil_ = nextSeq_ + BLOCK - 1;
    }
    return nextSeq_++;
}

Expected<StoreResult> Mailbox::store(const std::vector<MailboxEntry>& entries) {
    StoreResult result;
    if (entries.empty()) return result;
    std::lock_guard<std::mutex> lock(db_->mutex());
    Transaction tx(*db_);
    if (!tx.ok()) return db_->error("begin");
    {  // why: the statements are reset before COMMIT; a statement still open at commit keeps
       // the WAL from ever being checkpointed, and it grows without bound.
    // What a message replaces is remembered as decided, like an ack, for as long as a copy may
    // come back from the DHT: after a restart it is not taken again (same millisecond included).
    Statement decided(*db_,
                      "INSERT OR IGNORE INTO acked(device_id, message_id, expires_ms) "
                      "SELECT device_id, message_id, max(expires_ms, ?4) FROM mailbox "
                      "WHERE token = ?1 AND topic = ?2 AND created_ms <= ?3 AND message_id != ?5");
    Statement replace(*db_, "DELETE FROM mailbox WHERE token = ? AND topic = ? AND created_ms <= ? AND message_id != ?");
    // The newest creation time seen per Topic, remembered while an older copy may come back.
    Statement mark(*db_,
                   "INSERT INTO topics(token, topic, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT(token, topic) DO UPDATE SET created_ms = max(created_ms, excluded.created_ms), "
                   "expires_ms = max(expires_ms, excluded.expires_ms)");
    const auto markUntil = unixMs() + limits_.unknownAckMemoryMs;
    Statement insert(*db_,
                     "INSERT OR IGNORE INTO mailbox(seq, device_id, token, message_id, topic, created_ms, expires_ms, "
                     "size, envelope) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 "
                     "WHERE NOT EXISTS (SELECT 1 FROM acked WHERE device_id = ?2 AND message_id = ?4)");
    for (const auto& e : entries) {
        if (auto room = checkRoomLocked(e.deviceId, e.token, e.topic, e.envelope.size()); !room) {
            ++result.full;
            result.outcomes.push_back(StoreOutcome::Full);
            continue;
        }
        if (!e.topic.empty()) {
            decided.reset();
            decided.bind(1, e.token).bind(2, e.topic).bind(3, e.createdMs).bind(4, markUntil).bind(5, e.messageId);
            if (decided.step() != SQLITE_DONE) return db_->error("remember replaced");
            replace.reset();
            replace.bind(1, e.token).bind(2, e.topic).bind(3, e.createdMs).bind(4, e.messageId);
            if (replace.step() != SQLITE_DONE) return db_->error("replace topic");
        }
        insert.reset();
        insert.bind(1, e.seq).bind(2, e.deviceId).bind(3, e.token).bind(4, e.messageId).bind(5, e.topic);
        insert.bind(6, e.createdMs).bind(7, e.expiresMs).bind(8, static_cast<std::int64_t>(e.envelope.size()));
        insert.bindBlob(9, e.envelope);
        const int inserted = insert.step();
        if (inserted == SQLITE_CONSTRAINT) {  // the subscription was removed after admit()
            ++result.orphaned;
            result.outcomes.push_back(StoreOutcome::Orphaned);
            continue;
        }
        if (inserted != SQLITE_DONE) return db_->error("store message");
        const bool written = sqlite3_changes(db_->handle()) > 0;
        if (written && !e.topic.empty()) {
            mark.reset();
            mark.bind(1, e.token).bind(2, e.topic).bind(3, e.createdMs).bind(4, std::max(e.expiresMs, markUntil));
            if (mark.step() != SQLITE_DONE) return db_->error("remember topic");
        }
        ++(written ? result.written : result.skipped);
        result.outcomes.push_back(written ? StoreOutcome::Written : StoreOutcome::Skipped);
    }
    }
    if (auto committed = tx.commit(); !committed) return committed.error();
    return result;
}

Expected<std::vector<StoredMessage>> Mailbox::pending(const std::string& deviceId, std::int64_t afterSeq,
                                                      std::int64_t nowMs) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement select(*db_,
                     "SELECT seq, token, envelope FROM mailbox WHERE device_id = ? AND seq > ? AND expires_ms > ? "
                     "ORDER BY seq");
    select.bind(1, deviceId).bind(2, afterSeq).bind(3, nowMs);
    std::vector<StoredMessage> out;
    int rc;
    while ((rc = select.step()) == SQLITE_ROW) {
        const auto blob = select.blob(2);
        auto envelope = node::decodeEnvelope(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size());
        if (!envelope) continue;  // written by us, so only a damaged file gets here: skip, keep the rest
        out.push_back({select.integer(0), {select.text(1), std::move(*envelope)}});
    }
    if (rc != SQLITE_DONE) return db_->error("read mailbox");
    return out;
}

Expected<std::size_t> Mailbox::ack(const std::string& deviceId, const std::vector<std::string>& messageIds) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Transaction tx(*db_);
    if (!tx.ok()) return db_->error("begin");
    std::size_t count = 0;
    {  // why: reset before COMMIT (see store())
        // The device's room for ids it acks that were never stored here, counted only when
        // such an id comes, and only up to the budget: an ack costs the same however many ids
        // the device acked before (at 1,000 messages/s it has ~660,000 remembered).
        std::optional<std::int64_t> unknownRoom;
        auto roomForUnknown = [&]() -> std::int64_t& {
            if (!unknownRoom) {
                Statement remembered(*db_, "SELECT COUNT(*) FROM (SELECT 1 FROM acked WHERE device_id = ? LIMIT ?)");
                remembered.bind(1, deviceId).bind(2, static_cast<std::int64_t>(limits_.unknownAcksPerDevice));
                unknownRoom = static_cast<std::int64_t>(limits_.unknownAcksPerDevice) -
                              (remembered.step() == SQLITE_ROW ? remembered.integer(0) : 0);
            }
            return *unknownRoom;
        };
        Statement find(*db_, "SELECT MAX(expires_ms) FROM mailbox WHERE device_id = ? AND message_id = ?");
        Statement remember(*db_, "INSERT OR REPLACE INTO acked(device_id, message_id, expires_ms) VALUES (?, ?, ?)");
        Statement del(*db_, "DELETE FROM mailbox WHERE device_id = ? AND message_id = ?");
        const auto unknownUntil = unixMs() + limits_.unknownAckMemoryMs;
        for (const auto& id : messageIds) {
            find.reset();
            find.bind(1, deviceId).bind(2, id);
            // Remembered until the message would have expired, or for as long as the DHT may
            // still hand out a copy of a message this proxy has not received yet.
            std::int64_t until = unknownUntil;
            const bool stored = find.step() == SQLITE_ROW && find.integer(0) > 0;
            if (stored) until = std::max(until, find.integer(0));
            find.reset();
            // An ack flood of made-up ids must not grow the table: unknown ids are remembered
            // only within the device's budget.
            if (!stored && roomForUnknown()-- <= 0) continue;
            remember.reset();
            remember.bind(1, deviceId).bind(2, id).bind(3, until);
            if (remember.step() != SQLITE_DONE) return db_->error("remember ack");
            if (!stored) continue;
            del.reset();
            del.bind(1, deviceId).bind(2, id);
            if (del.step() != SQLITE_DONE) return db_->error("ack");
            count += static_cast<std::size_t>(sqlite3_changes(db_->handle()));
        }
    }
    if (auto committed = tx.commit(); !committed) return committed.error();
    return count;
}

Expected<std::size_t> Mailbox::pruneExpired(std::int64_t nowMs) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement messages(*db_, "DELETE FROM mailbox WHERE expires_ms <= ?");
    messages.bind(1, nowMs);
    if (messages.step() != SQLITE_DONE) return db_->error("prune mailbox");
    const auto dropped = static_cast<std::size_t>(sqlite3_changes(db_->handle()));
    Statement acks(*db_, "DELETE FROM acked WHERE expires_ms <= ?");
    acks.bind(1, nowMs);
    if (acks.step() != SQLITE_DONE) return db_->error("prune acks");
    Statement topics(*db_, "DELETE FROM topics WHERE expires_ms <= ?");
    topics.bind(1, nowMs);
    if (topics.step() != SQLITE_DONE) return db_->error("prune topics");
    return dropped;
}

Expected<Mailbox::Totals> Mailbox::totals() {
    std::lock_guard<std::mutex> lock(db_->mutex());
    const auto now = std::chrono::steady_clock::now();
    if (totals_ && now - totalsAt_ < TOTALS_MAX_AGE) return *totals_;
    Statement count(*db_, "SELECT COUNT(*), TOTAL(size) FROM mailbox");
    if (count.step() != SQLITE_ROW) return db_->error("count the mailbox");
    totals_ = Totals{count.integer(0), count.integer(1)};
    totalsAt_ = now;
    return *totals_;
}

}  // namespace dhtpush::proxy
