#pragma once
// The push transport over dhtpush proxies: the distributor is one device on each proxy of
// its list (attached on first start, accounts kept in the store), every subscription is
// watched by all of them, and one event stream per proxy carries the messages of every app.
// A listed proxy that did not answer is tried again while run() runs; once it answers it is
// given every registration's subscription (paced by its rate limit) and carries a stream too.
// With discovery, the list is found in the DHT's proxy directory instead, kept in the store,
// and a proxy unreachable past a grace period is replaced by a fresh one: its subscriptions
// move there, and the apps whose endpoint was on it are told their new one.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "push_transport.h"
#include "registration_store.h"

namespace dhtpush::device {

struct ProxyDiscovery {
    std::vector<std::string> nodeUrls;  // empty: the listed proxies are fixed
    std::size_t proxies{2};             // how many proxies to hold
    std::chrono::seconds healAfter{300};  // 0: a dead proxy is never replaced
};

class ProxyTransport : public PushTransport {
public:
    ProxyTransport(RegistrationStore& store, std::vector<std::string> proxyUrls, ProxyDiscovery discovery = {});

    static constexpr auto ATTACH_RETRY = std::chrono::seconds(5);  // a listed proxy not attached yet
    static constexpr std::size_t MAX_OWED = 4096;  // subscriptions owed to one proxy

    // Attaches to each listed proxy the store has no account on. Fails when none is reachable.
    Status attach();
    // True once attached to one of the listed proxies at least.
    bool attached() const { return !accounts().empty(); }
    Expected<PushSubscription> subscribe(const std::string& vapidKey) override;
    Status unsubscribe(const std::string& pushToken) override;
    Status acknowledge(const std::vector<std::string>& messageIds) override;
    void handedLater(const std::string& messageId) override;
    Status run(const std::atomic<bool>& stop, const Handler& handle) override;
    // The proxies hold the lower messages back: run()'s streams are reopened with it.
    void setMinUrgency(node::Urgency urgency) override;
    void onEndpointMoved(EndpointMoved moved) override { endpointMoved_ = std::move(moved); }

private:
    std::vector<client::ProxyAccount> accounts() const;
    std::vector<std::string> urls() const;
    // With discovery: the store's proxies, and fresh ones from the directory up to the number
    // wanted. False when it found none it needed.
    bool discover();
    // With discovery: replaces a proxy unreachable past the grace period. True when it did.
    bool healDead();
    bool replace(const std::string& deadUrl);
    // Deletes the device at one proxy it was moved off, once that proxy answers again.
    void leaveRetired();
    // attach(); true when it attached to a proxy it was not on. A new proxy is owed every
    // registration's subscription.
    bool attachMissing();
    // Gives the proxies the subscriptions they are owed, until one refuses (429: its rate
    // limit; the rest come at the next retry).
    void catchUp();
    void owe(const std::string& url, const std::string& pushToken, const std::string& vapidKey);

    RegistrationStore& store_;
    ProxyDiscovery discovery_;
    EndpointMoved endpointMoved_;
    mutable std::mutex urlsMutex_;
    std::vector<std::string> proxyUrls_;  // guarded by urlsMutex_
    std::map<std::string, std::chrono::steady_clock::time_point> healNotBefore_;  // run()'s retry thread only
    std::size_t nextRetired_{0};                                                   // run()'s retry thread only
    std::mutex mutex_;
    node::Urgency minUrgency_{node::Urgency::VeryLow};   // guarded by mutex_
    client::MessageListener* listening_{nullptr};       // run()'s, while it runs; guarded by mutex_
    struct Owed {
        std::string pushToken, vapidKey;
    };
    std::map<std::string, std::vector<Owed>> owed_;  // by proxy URL; guarded by mutex_
};

}  // namespace dhtpush::device
