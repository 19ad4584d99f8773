#include "device_store.h"

#include <sqlite3.h>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"

namespace dhtpush::proxy {
namespace {

constexpr const char* SCHEMA = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    secret_sha256 BLOB NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    token TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_by_device ON subscriptions(device_id);
)sql";

// A prepared statement that finalizes itself.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return ok_; }
    Statement& bind(int i, const std::string& text) {
        ok_ = ok_ && sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) == SQLITE_OK;
        return *this;
    }
    Statement& bindBlob(int i, const crypto::Bytes& blob) {
        ok_ = ok_ && sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT) == SQLITE_OK;
        return *this;
    }
    Statement& bind(int i, std::int64_t value) {
        ok_ = ok_ && sqlite3_bind_int64(stmt_, i, value) == SQLITE_OK;
        return *this;
    }
    int step() { return ok_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
    std::string text(int col) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
    }
    std::string blob(int col) const {
        auto p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

private:
    sqlite3_stmt* stmt_{nullptr};
    bool ok_{false};
};

Error storageError(sqlite3* db, const char* what) {
    return makeError(Errc::Unavailable, std::string("storage: ") + what + ": " + sqlite3_errmsg(db));
}

std::int64_t nowMsSigned() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string secretHash(const std::string& secret) { return crypto::toString(crypto::sha256(secret)); }

}  // namespace

Expected<std::unique_ptr<DeviceStore>> DeviceStore::open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
        SQLITE_OK) {
        auto error = makeError(Errc::Unavailable, "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_close(db);
        return error;
    }
    sqlite3_busy_timeout(db, 5000);
    std::unique_ptr<DeviceStore> store(new DeviceStore(db));
    if (auto s = store->exec(SCHEMA); !s) return s.error();
    return store;
}

DeviceStore::DeviceStore(sqlite3* db) : db_(db) {}

DeviceStore::~DeviceStore() { sqlite3_close(db_); }

Status DeviceStore::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string detail = message ? message : "unknown error";
        sqlite3_free(message);
        return makeError(Errc::Unavailable, "storage: " + detail);
    }
    return success();
}

Expected<NewDevice> DeviceStore::createDevice() {
    NewDevice device{crypto::base64urlEncode(crypto::randomBytes(16)), crypto::base64urlEncode(crypto::randomBytes(32))};
    std::lock_guard<std::mutex> lock(mutex_);
    Statement insert(db_, "INSERT INTO devices(id, secret_sha256, created_ms) VALUES (?, ?, ?)");
    insert.bind(1, device.id).bindBlob(2, crypto::toBytes(secretHash(device.secret))).bind(3, nowMsSigned());
    if (insert.step() != SQLITE_DONE) return storageError(db_, "create device");
    return device;
}

Status DeviceStore::authenticate(const std::string& deviceId, const std::string& secret) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement select(db_, "SELECT secret_sha256 FROM devices WHERE id = ?");
    select.bind(1, deviceId);
    const int rc = select.step();
    if (rc == SQLITE_DONE) return makeError(Errc::NotFound, "unknown device");
    if (rc != SQLITE_ROW) return storageError(db_, "read device");
    if (!crypto::constantTimeEqual(select.blob(0), secretHash(secret)))
        return makeError(Errc::Forbidden, "wrong device secret");
    return success();
}

Expected<std::vector<std::string>> DeviceStore::deleteDevice(const std::string& deviceId) {
    auto tokens = subscriptionsOf(deviceId);
    if (!tokens) return tokens;
    std::lock_guard<std::mutex> lock(mutex_);
    Statement del(db_, "DELETE FROM devices WHERE id = ?");
    del.bind(1, deviceId);
    if (del.step() != SQLITE_DONE) return storageError(db_, "delete device");
    if (sqlite3_changes(db_) == 0) return makeError(Errc::NotFound, "unknown device");
    return tokens;
}

Status DeviceStore::addSubscription(const std::string& deviceId, const std::string& token) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement owner(db_, "SELECT device_id FROM subscriptions WHERE token = ?");
    owner.bind(1, token);
    const int rc = owner.step();
    if (rc == SQLITE_ROW) {
        if (owner.text(0) == deviceId) return success();
        return makeError(Errc::Conflict, "this token is subscribed by another device on this proxy");
    }
    if (rc != SQLITE_DONE) return storageError(db_, "read subscription");
    Statement insert(db_, "INSERT INTO subscriptions(token, device_id, created_ms) VALUES (?, ?, ?)");
    insert.bind(1, token).bind(2, deviceId).bind(3, nowMsSigned());
    const int inserted = insert.step();
    // The foreign key fails when the device was deleted meanwhile.
    if (inserted == SQLITE_CONSTRAINT) return makeError(Errc::NotFound, "unknown device");
    if (inserted != SQLITE_DONE) return storageError(db_, "add subscription");
    return success();
}

Status DeviceStore::removeSubscription(const std::string& deviceId, const std::string& token) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement del(db_, "DELETE FROM subscriptions WHERE token = ? AND device_id = ?");
    del.bind(1, token).bind(2, deviceId);
    if (del.step() != SQLITE_DONE) return storageError(db_, "remove subscription");
    if (sqlite3_changes(db_) == 0) return makeError(Errc::NotFound, "this device has no such subscription");
    return success();
}

Expected<std::vector<std::string>> DeviceStore::subscriptionsOf(const std::string& deviceId) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement select(db_, "SELECT token FROM subscriptions WHERE device_id = ? ORDER BY created_ms");
    select.bind(1, deviceId);
    std::vector<std::string> tokens;
    int rc;
    while ((rc = select.step()) == SQLITE_ROW) tokens.push_back(select.text(0));
    if (rc != SQLITE_DONE) return storageError(db_, "list subscriptions");
    return tokens;
}

Expected<std::vector<SubscriptionRecord>> DeviceStore::allSubscriptions() {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement select(db_, "SELECT token, device_id FROM subscriptions");
    std::vector<SubscriptionRecord> records;
    int rc;
    while ((rc = select.step()) == SQLITE_ROW) records.push_back({select.text(0), select.text(1)});
    if (rc != SQLITE_DONE) return storageError(db_, "list subscriptions");
    return records;
}

std::size_t DeviceStore::subscriptionCount(const std::string& deviceId) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement count(db_, "SELECT COUNT(*) FROM subscriptions WHERE device_id = ?");
    count.bind(1, deviceId);
    return count.step() == SQLITE_ROW ? static_cast<std::size_t>(count.integer(0)) : 0;
}

}  // namespace dhtpush::proxy
