#pragma once
// Devices and their subscriptions, durable in SQLite (WAL) in the proxy's data folder.
// Thread-safe: every call takes the store's mutex.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dhtpush/expected.h"

struct sqlite3;

namespace dhtpush::proxy {

struct NewDevice {
    std::string id;
    std::string secret;  // shown once to the device; only its hash is stored
};

struct SubscriptionRecord {
    std::string token;
    std::string deviceId;
};

class DeviceStore {
public:
    // Opens or creates the database; ":memory:" for a throw-away store.
    static Expected<std::unique_ptr<DeviceStore>> open(const std::string& path);
    ~DeviceStore();
    DeviceStore(const DeviceStore&) = delete;
    DeviceStore& operator=(const DeviceStore&) = delete;

    Expected<NewDevice> createDevice();
    // NotFound for an unknown device, Forbidden for a wrong secret (compared in constant time).
    Status authenticate(const std::string& deviceId, const std::string& secret);
    // Removes the device and its subscriptions; returns the tokens it held.
    Expected<std::vector<std::string>> deleteDevice(const std::string& deviceId);
    // Conflict when another device holds the token; adding one's own token again succeeds.
    Status addSubscription(const std::string& deviceId, const std::string& token);
    Status removeSubscription(const std::string& deviceId, const std::string& token);
    Expected<std::vector<std::string>> subscriptionsOf(const std::string& deviceId);
    Expected<std::vector<SubscriptionRecord>> allSubscriptions();
    std::size_t subscriptionCount(const std::string& deviceId);

private:
    explicit DeviceStore(sqlite3* db);
    Status exec(const char* sql);
    sqlite3* db_;
    std::mutex mutex_;
};

}  // namespace dhtpush::proxy
