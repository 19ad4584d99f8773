#pragma once
// The distributor's state in one SQLite file (0600, in a 0700 folder): its accounts on
// proxies, the apps' registrations, and the ids of messages already handed to an app (so a
// message the proxies send again after a crash, before their ack, is not handed twice).
// Thread-safe: one connection behind a mutex.
#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "dhtpush/expected.h"
#include "registration.h"

namespace dhtpush::device {

class RegistrationStore {
public:
    // How many handed-message ids are kept (the oldest are forgotten past it).
    static constexpr std::size_t HANDED_IDS_KEPT = 10000;
    static constexpr std::size_t RETIRED_PROXIES_KEPT = 16;

    static Expected<std::unique_ptr<RegistrationStore>> open(const std::string& directory);
    ~RegistrationStore();

    std::vector<client::ProxyAccount> proxies() const;
    Status addProxy(const client::ProxyAccount& account);
    // A proxy replaced for good: its account moves to the retired ones, kept to leave that
    // proxy (delete the device there) once it answers again; at most RETIRED_PROXIES_KEPT.
    Status retireProxy(const std::string& url);
    std::vector<client::ProxyAccount> retiredProxies() const;
    Status forgetRetired(const std::string& url);

    // Inserts or replaces (by app token).
    Status put(const Registration& registration);
    Status remove(const std::string& appToken);
    std::optional<Registration> byAppToken(const std::string& appToken) const;
    std::optional<Registration> byPushToken(const std::string& pushToken) const;
    std::vector<Registration> all() const;
    std::size_t count() const;

    bool wasHanded(const std::string& messageId) const;
    Status markHanded(const std::string& messageId);

private:
    explicit RegistrationStore(sqlite3* db) : db_(db) {}
    Status exec(const char* sql) const;  // takes no lock: open(), or with mutex_ held
    std::vector<client::ProxyAccount> accounts(const char* selectSql) const;
    Status moveToRetired(const std::string& url);  // mutex_ held, in a transaction
    std::vector<Registration> select(const char* whereSql, const std::string& value) const;

    mutable std::mutex mutex_;
    sqlite3* db_;
};

}  // namespace dhtpush::device
