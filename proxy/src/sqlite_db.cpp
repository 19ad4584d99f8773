#include "sqlite_db.h"

#include <sqlite3.h>

#include <chrono>
#include "dhtpush/node/log.h"

namespace dhtpush::proxy {
namespace {

// user_version 3. Messages are keyed by (token, message_id) so a copy that comes back from
// the DHT is stored once; `acked` remembers the ids a device acknowledged (also ids this
// proxy has not seen yet: a device on two proxies acks on both) until no copy can come
// back, so a copy fetched again later is not delivered twice. `meta` keeps the end of the
// block of message seqs handed out (v2), so a seq sent to a device before a crash is never
// handed out again. `inboxes` (v3) holds the ids of the proxy's inboxes, in which it makes
// version-2 tokens: an endpoint handed out must keep its inbox across restarts. `topics` (v4)
// keeps, per subscription and Topic, the creation time of the newest message stored, and
// `acked` the ids of the messages it replaced, for as long as an older copy may come back
// from the DHT: a replaced message stays replaced after
// the newest is acked and after a restart (RFC 8030 §5.4). The expiry
// indexes keep pruning and opening a stream from scanning whole tables. The WAL is
// checkpointed every 1000 pages and truncated to 64 MiB: it cannot grow with the traffic.
constexpr const char* SCHEMA = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA wal_autocheckpoint = 1000;
PRAGMA journal_size_limit = 67108864;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    secret_sha256 BLOB NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    token TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    vapid_key TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_by_device ON subscriptions(device_id);
CREATE TABLE IF NOT EXISTS mailbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    token TEXT NOT NULL REFERENCES subscriptions(token) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    size INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    UNIQUE (token, message_id)
);
CREATE INDEX IF NOT EXISTS mailbox_by_device ON mailbox(device_id, seq);
CREATE INDEX IF NOT EXISTS mailbox_by_expiry ON mailbox(expires_ms);
CREATE INDEX IF NOT EXISTS mailbox_by_message ON mailbox(device_id, message_id);
CREATE TABLE IF NOT EXISTS acked (
    device_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS acked_by_expiry ON acked(expires_ms);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS topics (
    token TEXT NOT NULL,
    topic TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (token, topic)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS topics_by_expiry ON topics(expires_ms);
CREATE TABLE IF NOT EXISTS inboxes (
    shard INTEGER PRIMARY KEY,
    id BLOB NOT NULL
);
PRAGMA user_version = 4;
)sql";

}  // namespace

Expected<std::shared_ptr<Database>> Database::open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        auto error = makeError(Errc::Unavailable, "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_close(db);
        return error;
    }
    sqlite3_busy_timeout(db, 5000);
    std::shared_ptr<Database> database(new Database(db));
    if (auto s = database->exec(SCHEMA); !s) return s.error();
    return database;
}

Database::~Database() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

sqlite3_stmt* Database::prepared(const char* sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return nullptr;
    }
    statements_.emplace(sql, stmt);
    return stmt;
}

Status Database::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        log::sampled(log::Level::err, "storage error", message ? message : "unknown error");
        sqlite3_free(message);
        if ((sqlite3_errcode(db_) & 0xff) == SQLITE_FULL) return makeError(Errc::StorageFull, "storage: the disk is full");
        return makeError(Errc::Unavailable, "storage: the database cannot serve now; retry later");
    }
    return success();
}

Error Database::error(const char* what) const {
    // SQLite's own text names tables and columns: it goes to the operator's log, never into
    // a response.
    log::sampled(log::Level::err, "storage error", std::string(what) + ": " + sqlite3_errmsg(db_));
    const int code = sqlite3_errcode(db_) & 0xff;
    if (code == SQLITE_FULL) return makeError(Errc::StorageFull, std::string("storage: the disk is full (") + what + ")");
    return makeError(Errc::Unavailable, std::string("storage: cannot ") + what + " now; retry later");
}

Statement::Statement(Database& db, const char* sql) : stmt_(db.prepared(sql)) { ok_ = stmt_ != nullptr; }

Statement::~Statement() {
    if (!stmt_) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int i, const std::string& text) {
    ok_ = ok_ && sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) == SQLITE_OK;
    return *this;
}

Statement& Statement::bind(int i, std::int64_t value) {
    ok_ = ok_ && sqlite3_bind_int64(stmt_, i, value) == SQLITE_OK;
    return *this;
}

Statement& Statement::bindBlob(int i, const crypto::Bytes& blob) {
    ok_ = ok_ && sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT) == SQLITE_OK;
    return *this;
}

int Statement::step() { return ok_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::string Statement::blob(int col) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::int64_t Statement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

std::int64_t unixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace dhtpush::proxy
