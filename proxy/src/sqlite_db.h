#pragma once
// The proxy's SQLite database (WAL): one connection shared by the device store and the
// mailbox, each call under the database's mutex.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dhtpush::proxy {

class Database {
public:
    // Opens or creates the file and its schema; ":memory:" for a throw-away database.
    static Expected<std::shared_ptr<Database>> open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* handle() { return db_; }
    std::mutex& mutex() { return mutex_; }
    // A prepared statement for this SQL, compiled once and kept (callers hold mutex()).
    sqlite3_stmt* prepared(const char* sql);
    Status exec(const char* sql);
    Error error(const char* what) const;

private:
    explicit Database(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::mutex mutex_;
    std::unordered_map<std::string, sqlite3_stmt*> statements_;  // guarded by mutex_
};

// One use of a cached prepared statement: reset when it goes out of scope; binding errors
// make step() fail.
class Statement {
public:
    Statement(Database& db, const char* sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, const std::string& text);
    Statement& bind(int index, std::int64_t value);
    Statement& bindBlob(int index, const crypto::Bytes& blob);
    int step();  // SQLITE_ROW, SQLITE_DONE or an error code
    void reset();

    std::string text(int column) const;
    std::string blob(int column) const;
    std::int64_t integer(int column) const;

private:
    sqlite3_stmt* stmt_{nullptr};
    bool ok_{false};
};

std::int64_t unixMs();

}  // namespace dhtpush::proxy
