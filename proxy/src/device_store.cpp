#include "device_store.h"

#include <sqlite3.h>

#include <algorithm>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/token.h"

namespace dhtpush::proxy {
namespace {

std::string secretHash(const std::string& secret) { return crypto::toString(crypto::sha256(secret)); }

}  // namespace

Expected<std::unique_ptr<DeviceStore>> DeviceStore::open(const std::string& path) {
    auto db = Database::open(path);
    if (!db) return db.error();
    return std::make_unique<DeviceStore>(std::move(*db));
}

DeviceStore::DeviceStore(std::shared_ptr<Database> db) : db_(std::move(db)) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement devices(*db_, "SELECT COUNT(*) FROM devices");
    if (devices.step() == SQLITE_ROW) devices_ = static_cast<std::size_t>(devices.integer(0));
    Statement subscriptions(*db_, "SELECT COUNT(*) FROM subscriptions");
    if (subscriptions.step() == SQLITE_ROW) subscriptions_ = static_cast<std::size_t>(subscriptions.integer(0));
}

Expected<NewDevice> DeviceStore::createDevice() {
    NewDevice device{crypto::base64urlEncode(crypto::randomBytes(16)), crypto::base64urlEncode(crypto::randomBytes(32))};
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement insert(*db_, "INSERT INTO devices(id, secret_sha256, created_ms) VALUES (?, ?, ?)");
    insert.bind(1, device.id).bindBlob(2, crypto::toBytes(secretHash(device.secret))).bind(3, unixMs());
    if (insert.step() != SQLITE_DONE) return db_->error("create device");
    ++devices_;
    return device;
}

Status DeviceStore::authenticate(const std::string& deviceId, const std::string& secret) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement select(*db_, "SELECT secret_sha256 FROM devices WHERE id = ?");
    select.bind(1, deviceId);
    const int rc = select.step();
    if (rc == SQLITE_DONE) return makeError(Errc::NotFound, "unknown device");
    if (rc != SQLITE_ROW) return db_->error("read device");
    if (!crypto::constantTimeEqual(select.blob(0), secretHash(secret)))
        return makeError(Errc::Forbidden, "wrong device secret");
    return success();
}

Expected<std::vector<std::string>> DeviceStore::deleteDevice(const std::string& deviceId) {
    auto tokens = subscriptionsOf(deviceId);
    if (!tokens) return tokens;
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement del(*db_, "DELETE FROM devices WHERE id = ?");
    del.bind(1, deviceId);
    if (del.step() != SQLITE_DONE) return db_->error("delete device");
    if (sqlite3_changes(db_->handle()) == 0) return makeError(Errc::NotFound, "unknown device");
    --devices_;
    subscriptions_ -= std::min<std::size_t>(subscriptions_, tokens->size());
    return tokens;
}

Status DeviceStore::addSubscription(const std::string& deviceId, const std::string& token, const std::string& vapidKey) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement owner(*db_, "SELECT device_id FROM subscriptions WHERE token = ?");
    owner.bind(1, token);
    const int rc = owner.step();
    if (rc == SQLITE_ROW) {
        if (owner.text(0) != deviceId)
            return makeError(Errc::Conflict, "this token is subscribed by another device on this proxy");
        Statement update(*db_, "UPDATE subscriptions SET vapid_key = ? WHERE token = ?");
        update.bind(1, vapidKey).bind(2, token);
        if (update.step() != SQLITE_DONE) return db_->error("update subscription");
        return success();
    }
    if (rc != SQLITE_DONE) return db_->error("read subscription");
    Statement insert(*db_, "INSERT INTO subscriptions(token, device_id, vapid_key, created_ms) VALUES (?, ?, ?, ?)");
    insert.bind(1, token).bind(2, deviceId).bind(3, vapidKey).bind(4, unixMs());
    const int inserted = insert.step();
    // The foreign key fails when the device was deleted meanwhile.
    if (inserted == SQLITE_CONSTRAINT) return makeError(Errc::NotFound, "unknown device");
    if (inserted != SQLITE_DONE) return db_->error("add subscription");
    ++subscriptions_;
    return success();
}

Status DeviceStore::removeSubscription(const std::string& deviceId, const std::string& token) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement del(*db_, "DELETE FROM subscriptions WHERE token = ? AND device_id = ?");
    del.bind(1, token).bind(2, deviceId);
    if (del.step() != SQLITE_DONE) return db_->error("remove subscription");
    if (sqlite3_changes(db_->handle()) == 0) return makeError(Errc::NotFound, "this device has no such subscription");
    --subscriptions_;
    return success();
}

Expected<std::vector<std::string>> DeviceStore::subscriptionsOf(const std::string& deviceId) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement select(*db_, "SELECT token FROM subscriptions WHERE device_id = ? ORDER BY created_ms");
    select.bind(1, deviceId);
    std::vector<std::string> tokens;
    int rc;
    while ((rc = select.step()) == SQLITE_ROW) tokens.push_back(select.text(0));
    if (rc != SQLITE_DONE) return db_->error("list subscriptions");
    return tokens;
}

Expected<std::vector<SubscriptionRecord>> DeviceStore::allSubscriptions() {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement select(*db_, "SELECT token, device_id, vapid_key FROM subscriptions");
    std::vector<SubscriptionRecord> records;
    int rc;
    while ((rc = select.step()) == SQLITE_ROW) records.push_back({select.text(0), select.text(1), select.text(2)});
    if (rc != SQLITE_DONE) return db_->error("list subscriptions");
    return records;
}

Expected<SubscriptionRecord> DeviceStore::subscription(const std::string& token) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement select(*db_, "SELECT token, device_id, vapid_key FROM subscriptions WHERE token = ?");
    select.bind(1, token);
    const int rc = select.step();
    if (rc == SQLITE_DONE) return makeError(Errc::NotFound, "no subscription with this token on this proxy");
    if (rc != SQLITE_ROW) return db_->error("read subscription");
    return SubscriptionRecord{select.text(0), select.text(1), select.text(2)};
}

std::size_t DeviceStore::subscriptionCount(const std::string& deviceId) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    Statement count(*db_, "SELECT COUNT(*) FROM subscriptions WHERE device_id = ?");
    count.bind(1, deviceId);
    return count.step() == SQLITE_ROW ? static_cast<std::size_t>(count.integer(0)) : 0;
}

Expected<std::vector<crypto::Bytes>> DeviceStore::inboxes(std::size_t count,
                                                          const std::function<crypto::Bytes()>& newId) {
    std::lock_guard<std::mutex> lock(db_->mutex());
    std::vector<crypto::Bytes> ids;
    Statement select(*db_, "SELECT id FROM inboxes WHERE shard < ? ORDER BY shard");
    select.bind(1, static_cast<std::int64_t>(count));
    int rc;
    while ((rc = select.step()) == SQLITE_ROW) {
        const auto id = select.blob(0);
        if (id.size() != crypto::INBOX_ID_BYTES) return makeError(Errc::Unavailable, "an inbox id in the database is damaged");
        ids.emplace_back(id.begin(), id.end());
    }
    if (rc != SQLITE_DONE) return db_->error("read inboxes");
    for (auto shard = ids.size(); shard < count; ++shard) {
        auto id = newId ? newId() : crypto::randomBytes(crypto::INBOX_ID_BYTES);
        Statement insert(*db_, "INSERT INTO inboxes(shard, id) VALUES (?, ?)");
        insert.bind(1, static_cast<std::int64_t>(shard)).bindBlob(2, id);
        if (insert.step() != SQLITE_DONE) return db_->error("create inbox");
        ids.push_back(std::move(id));
    }
    return ids;
}

}  // namespace dhtpush::proxy
