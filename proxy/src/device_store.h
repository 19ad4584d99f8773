#pragma once
// Devices and their subscriptions, durable in the proxy's SQLite database.
// Thread-safe: every call takes the database's mutex.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"
#include "sqlite_db.h"

namespace dhtpush::proxy {

struct NewDevice {
    std::string id;
    std::string secret;  // shown once to the device; only its hash is stored
};

struct SubscriptionRecord {
    std::string token;
    std::string deviceId;
    std::string vapidKey;  // base64url P-256 key the app server must sign with; empty: none bound
};

class DeviceStore {
public:
    // Opens or creates the database; ":memory:" for a throw-away store.
    static Expected<std::unique_ptr<DeviceStore>> open(const std::string& path);
    // Reads the totals once; they are kept up to date by the calls below.
    explicit DeviceStore(std::shared_ptr<Database> db);

    const std::shared_ptr<Database>& database() const { return db_; }

    Expected<NewDevice> createDevice();
    // NotFound for an unknown device, Forbidden for a wrong secret (compared in constant time).
    Status authenticate(const std::string& deviceId, const std::string& secret);
    // Removes the device, its subscriptions and its mailbox; returns the tokens it held.
    Expected<std::vector<std::string>> deleteDevice(const std::string& deviceId);
    // Conflict when another device holds the token; adding one's own token again succeeds
    // (and updates the bound VAPID key). NotFound when the device is gone.
    Status addSubscription(const std::string& deviceId, const std::string& token, const std::string& vapidKey = {});
    // Removes the subscription and its undelivered messages.
    Status removeSubscription(const std::string& deviceId, const std::string& token);
    Expected<std::vector<std::string>> subscriptionsOf(const std::string& deviceId);
    Expected<std::vector<SubscriptionRecord>> allSubscriptions();
    // NotFound when no device of this proxy holds the token.
    Expected<SubscriptionRecord> subscription(const std::string& token);
    std::size_t subscriptionCount(const std::string& deviceId);
    // All devices and subscriptions of this proxy (node-wide caps), without a query.
    std::size_t deviceTotal() const { return devices_; }
    std::size_t subscriptionTotal() const { return subscriptions_; }
    // The ids of the proxy's first `count` inboxes, made by `newId` (default: random) and
    // kept on first use.
    Expected<std::vector<crypto::Bytes>> inboxes(std::size_t count, const std::function<crypto::Bytes()>& newId = {});

private:
    std::shared_ptr<Database> db_;
    std::atomic<std::size_t> devices_{0}, subscriptions_{0};
};

}  // namespace dhtpush::proxy
