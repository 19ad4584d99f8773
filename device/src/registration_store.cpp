#include "registration_store.h"

#include "dhtpush/node/private_files.h"

namespace dhtpush::device {
namespace {

constexpr const char* SCHEMA = R"(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS proxies (url TEXT PRIMARY KEY, device_id TEXT NOT NULL, secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registrations (
  app_token TEXT PRIMARY KEY, service TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
  vapid_key TEXT NOT NULL, push_token TEXT NOT NULL UNIQUE, endpoint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS retired_proxies (url TEXT PRIMARY KEY, device_id TEXT NOT NULL, secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS handed (seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE);
)";

// A prepared statement, finalized (and so reset) when it goes out of scope.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return stmt_ != nullptr; }
    Statement& bind(int index, const std::string& text) {
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int index, long long value) {
        sqlite3_bind_int64(stmt_, index, value);
        return *this;
    }
    int step() { return sqlite3_step(stmt_); }
    std::string text(int column) const {
        const auto* p = sqlite3_column_text(stmt_, column);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                 : std::string();
    }
    long long integer(int column) const { return sqlite3_column_int64(stmt_, column); }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

Status stepDone(Statement& statement) {
    if (!statement.ok()) return makeError(Errc::Internal, "the distributor's database refused a statement");
    const int rc = statement.step();
    if (rc == SQLITE_DONE) return success();
    if (rc == SQLITE_FULL) return makeError(Errc::StorageFull, "the disk is full");
    return makeError(Errc::Unavailable, "the distributor's database could not be written");
}

}  // namespace

Expected<std::unique_ptr<RegistrationStore>> RegistrationStore::open(const std::string& directory) {
    if (auto made = node::createPrivateDirectory(directory); !made) return made.error();
    const auto path = directory + "/distributor.sqlite";
    if (auto made = node::ensurePrivateFile(path); !made) return made.error();
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return makeError(Errc::Unavailable, "cannot open " + path);
    }
    sqlite3_busy_timeout(db, 5000);
    std::unique_ptr<RegistrationStore> store(new RegistrationStore(db));
    if (auto made = store->exec(SCHEMA); !made) return made.error();
    return store;
}

RegistrationStore::~RegistrationStore() { sqlite3_close(db_); }

Status RegistrationStore::exec(const char* sql) const {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        return makeError(Errc::Unavailable, "the distributor's database could not be set up");
    return success();
}

std::vector<client::ProxyAccount> RegistrationStore::accounts(const char* selectSql) const {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, selectSql);
    std::vector<client::ProxyAccount> out;
    while (s.ok() && s.step() == SQLITE_ROW) out.push_back({s.text(0), s.text(1), s.text(2)});
    return out;
}

std::vector<client::ProxyAccount> RegistrationStore::proxies() const {
    return accounts("SELECT url, device_id, secret FROM proxies ORDER BY rowid");
}

Status RegistrationStore::addProxy(const client::ProxyAccount& account) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "INSERT OR REPLACE INTO proxies (url, device_id, secret) VALUES (?, ?, ?)");
    s.bind(1, account.url).bind(2, account.deviceId).bind(3, account.secret);
    return stepDone(s);
}

Status RegistrationStore::retireProxy(const std::string& url) {
    std::lock_guard<std::mutex> lock(mutex_);
    // One transaction: an account left in both tables after a crash would have the distributor
    // delete itself at a proxy it still uses.
    if (auto begun = exec("BEGIN IMMEDIATE"); !begun) return begun;
    auto moved = moveToRetired(url);
    if (auto ended = exec(moved ? "COMMIT" : "ROLLBACK"); !ended) return ended;
    return moved;
}

Status RegistrationStore::moveToRetired(const std::string& url) {
    // The oldest go past the bound: a device that moved many times does not keep every account.
    Statement trim(db_,
                   "DELETE FROM retired_proxies WHERE rowid IN (SELECT rowid FROM retired_proxies ORDER BY rowid DESC "
                   "LIMIT -1 OFFSET ?)");
    trim.bind(1, static_cast<long long>(RETIRED_PROXIES_KEPT - 1));
    if (auto trimmed = stepDone(trim); !trimmed) return trimmed;
    Statement move(db_, "INSERT OR REPLACE INTO retired_proxies SELECT url, device_id, secret FROM proxies WHERE url = ?");
    move.bind(1, url);
    if (auto moved = stepDone(move); !moved) return moved;
    Statement remove(db_, "DELETE FROM proxies WHERE url = ?");
    remove.bind(1, url);
    return stepDone(remove);
}

std::vector<client::ProxyAccount> RegistrationStore::retiredProxies() const {
    return accounts("SELECT url, device_id, secret FROM retired_proxies ORDER BY rowid");
}

Status RegistrationStore::forgetRetired(const std::string& url) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "DELETE FROM retired_proxies WHERE url = ?");
    s.bind(1, url);
    return stepDone(s);
}

Status RegistrationStore::put(const Registration& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_,
                "INSERT OR REPLACE INTO registrations (app_token, service, version, description, vapid_key, push_token, "
                "endpoint) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, r.appToken).bind(2, r.service).bind(3, static_cast<long long>(r.version)).bind(4, r.description);
    s.bind(5, r.vapidKey).bind(6, r.pushToken).bind(7, r.endpoint);
    return stepDone(s);
}

Status RegistrationStore::remove(const std::string& appToken) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "DELETE FROM registrations WHERE app_token = ?");
    s.bind(1, appToken);
    return stepDone(s);
}

std::vector<Registration> RegistrationStore::select(const char* whereSql, const std::string& value) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string sql = std::string("SELECT app_token, service, version, description, vapid_key, push_token, endpoint "
                                        "FROM registrations ") +
                            whereSql + " ORDER BY rowid";
    Statement s(db_, sql.c_str());
    if (!value.empty()) s.bind(1, value);
    std::vector<Registration> out;
    while (s.ok() && s.step() == SQLITE_ROW)
        out.push_back({s.text(0), s.text(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4), s.text(5), s.text(6)});
    return out;
}

std::optional<Registration> RegistrationStore::byAppToken(const std::string& appToken) const {
    auto found = select("WHERE app_token = ?", appToken);
    if (found.empty()) return std::nullopt;
    return found.front();
}

std::optional<Registration> RegistrationStore::byPushToken(const std::string& pushToken) const {
    auto found = select("WHERE push_token = ?", pushToken);
    if (found.empty()) return std::nullopt;
    return found.front();
}

std::vector<Registration> RegistrationStore::all() const { return select("", ""); }

std::size_t RegistrationStore::count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT COUNT(*) FROM registrations");
    return s.ok() && s.step() == SQLITE_ROW ? static_cast<std::size_t>(s.integer(0)) : 0;
}

bool RegistrationStore::wasHanded(const std::string& messageId) const {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT 1 FROM handed WHERE message_id = ?");
    s.bind(1, messageId);
    return s.ok() && s.step() == SQLITE_ROW;
}

Status RegistrationStore::markHanded(const std::string& messageId) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement insert(db_, "INSERT OR IGNORE INTO handed (message_id) VALUES (?)");
    insert.bind(1, messageId);
    if (auto done = stepDone(insert); !done) return done;
    Statement trim(db_, "DELETE FROM handed WHERE seq <= (SELECT MAX(seq) FROM handed) - ?");
    trim.bind(1, static_cast<long long>(HANDED_IDS_KEPT));
    return stepDone(trim);
}

}  // namespace dhtpush::device
