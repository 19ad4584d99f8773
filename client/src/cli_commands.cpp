#include "cli_commands.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/device_state.h"
#include "dhtpush/client/message_listener.h"
#include "dhtpush/client/proxy_discovery.h"
#include "dhtpush/client/proxy_replacement.h"
#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/node/json.h"

namespace dhtpush::client {
namespace {

int fail(const std::string& what, const Error& error) {
    std::cerr << "dhtpush: " << what << ": " << error.detail << "\n";
    return 1;
}

std::string trimSlash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

}  // namespace

// The proxies to subscribe at with --discover: those the device already uses that answer (one
// stream per proxy serves all its subscriptions), then fresh ones from the directory.
Expected<std::vector<std::string>> discoveredProxies(DeviceState& state, const DiscoverOptions& discover) {
    for (const auto& url : discover.nodeUrls)
        if (std::find(state.discoveryUrls.begin(), state.discoveryUrls.end(), trimSlash(url)) == state.discoveryUrls.end())
            state.discoveryUrls.push_back(trimSlash(url));
    std::vector<std::string> urls;
    std::set<std::string> known;
    for (const auto& account : state.proxies) {
        known.insert(account.url);
        if (urls.size() < discover.proxies && answersHealthy(account.url)) urls.push_back(account.url);
    }
    if (urls.size() == discover.proxies) return urls;
    auto nodes = discover.nodeUrls;
    for (const auto& url : directoryNodes(state, "")) nodes.push_back(url);
    auto found = discoverProxies(nodes, discover.proxies - urls.size(), known);
    if (!found) return found.error();
    for (const auto& candidate : *found) urls.push_back(candidate.url);
    return urls;
}

int subscribeCommand(const std::string& statePath, std::vector<std::string> proxyUrls, const DiscoverOptions& discover,
                     const std::string& vapidKey) {
    auto state = loadDeviceState(statePath);
    if (!state) return fail("cannot read the device state", state.error());
    if (!discover.nodeUrls.empty()) {
        auto found = discoveredProxies(*state, discover);
        if (!found) return fail("cannot find proxies", found.error());
        proxyUrls = *found;
        std::cerr << "dhtpush: subscribing through";
        for (const auto& url : proxyUrls) std::cerr << " " << url;
        std::cerr << "\n";
    }
    std::vector<ProxyAccount> accounts;
    for (const auto& proxyUrl : proxyUrls) {
        const auto url = trimSlash(proxyUrl);
        if (const auto* known = state->findProxy(url)) {
            accounts.push_back(*known);
            continue;
        }
        auto attached = attachDevice(url);
        if (!attached) return fail("cannot attach to " + url, attached.error());
        state->proxies.push_back(*attached);
        // Saved at once: the proxy now knows this device, and its secret must not be lost.
        if (auto saved = saveDeviceState(statePath, *state); !saved) return fail("cannot save", saved.error());
        accounts.push_back(*attached);
    }
    auto keys = crypto::generateSubscriptionKeys();
    if (!keys) return fail("cannot make subscription keys", keys.error());
    // One proxy makes the token, in one of its inboxes. Several proxies share one token of
    // version 1 (a key of its own): with an inbox token the others would each watch the first
    // proxy's inbox and receive the messages of all its subscriptions there.
    std::string token = accounts.size() > 1 ? crypto::SubscriptionToken::generate().text() : std::string();
    std::string endpoint;
    for (const auto& account : accounts) {
        auto created = addSubscription(account, token, vapidKey);
        if (!created) return fail("cannot subscribe on " + account.url, created.error());
        if (endpoint.empty()) endpoint = created->endpoint;
        token = created->token;
    }
    Subscription subscription{token, endpoint, accounts.front().url, keys->p256dh, keys->auth,
                              keys->privateKey, {}, vapidKey};
    for (const auto& account : accounts) subscription.proxyUrls.push_back(account.url);
    state->subscriptions.push_back(std::move(subscription));
    if (auto saved = saveDeviceState(statePath, *state); !saved) return fail("cannot save", saved.error());
    Json::Value out(Json::objectValue);
    out["endpoint"] = endpoint;
    out["expirationTime"] = Json::nullValue;
    out["keys"]["p256dh"] = keys->p256dh;
    out["keys"]["auth"] = keys->auth;
    std::cout << node::writeJson(out) << std::endl;
    return 0;
}

int unsubscribeCommand(const std::string& statePath, const std::string& token) {
    auto state = loadDeviceState(statePath);
    if (!state) return fail("cannot read the device state", state.error());
    const auto* subscription = state->findSubscription(token);
    if (!subscription) return fail("unsubscribe", makeError(Errc::NotFound, "no subscription " + token + " in " + statePath));
    for (const auto& url : subscription->allProxies()) {
        const auto* account = state->findProxy(url);
        if (!account) continue;
        auto removed = removeSubscription(*account, token);
        if (!removed && removed.error().code != Errc::NotFound) return fail("cannot unsubscribe", removed.error());
    }
    auto& subs = state->subscriptions;
    subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const auto& s) { return s.token == token; }), subs.end());
    if (auto saved = saveDeviceState(statePath, *state); !saved) return fail("cannot save", saved.error());
    return 0;
}

namespace {

// One line on stdout when a subscription's endpoint moved: the app server must be given it.
void printEndpointChange(const EndpointChange& change) {
    Json::Value line(Json::objectValue);
    line["event"] = "new-endpoint";
    line["token"] = change.token;
    line["endpoint"] = change.newEndpoint;
    line["old_endpoint"] = change.oldEndpoint;
    std::cout << node::writeJson(line) << std::endl;
}

// Replaces a dead proxy; false when it cannot be yet (tried again later).
bool heal(DeviceState& state, const std::string& url, const std::string& statePath) {
    {
        auto replaced = replaceProxy(state, url, [&](const DeviceState& s) { return saveDeviceState(statePath, s); });
        if (!replaced) {
            std::cerr << "dhtpush: " << url << " stays unreachable and cannot be replaced yet: " << replaced.error().detail
                      << "\n";
            return false;
        }
        std::cerr << "dhtpush: " << url << " stayed unreachable: " << replaced->moved << " subscription(s) moved to "
                  << replaced->newUrl << "\n";
        for (const auto& token : replaced->stranded)
            std::cerr << "dhtpush: subscription " << token.substr(0, 8)
                      << "... is in the dead proxy's inbox and cannot move: subscribe again\n";
        for (const auto& change : replaced->endpoints) printEndpointChange(change);
    }
    return true;
}

// A replaced proxy that answers again and has brought all it held: the device leaves it (its
// subscriptions there go with the device), so it stops watching for a device that moved.
bool retire(DeviceState& state, const std::string& url, const std::string& statePath) {
    const auto* account = state.findProxy(url);
    if (!account) return true;
    if (auto left = detachDevice(*account); !left) {
        std::cerr << "dhtpush: cannot leave " << url << " yet: " << left.error().detail << "\n";
        return false;
    }
    auto& proxies = state.proxies;
    proxies.erase(std::remove_if(proxies.begin(), proxies.end(), [&](const ProxyAccount& a) { return a.url == url; }),
                  proxies.end());
    if (auto saved = saveDeviceState(statePath, state); !saved) return false;
    std::cerr << "dhtpush: " << url << " answers again and brought what it held: left it\n";
    return true;
}

}  // namespace

int listenCommand(const std::string& statePath, std::uint32_t count, std::chrono::seconds healAfter,
                  const std::atomic<bool>& stop) {
    auto state = loadDeviceState(statePath);
    if (!state) return fail("cannot read the device state", state.error());
    if (state->proxies.empty())
        return fail("listen", makeError(Errc::NotFound, "this device has no proxy yet: run 'dhtpush subscribe --proxy URL'"));
    std::cerr << "dhtpush: listening on " << state->proxies.size() << " prox"
              << (state->proxies.size() == 1 ? "y" : "ies") << "\n";
    MessageListener listener(*state);
    std::set<std::string> replaced;  // proxies already replaced: their streams go on, for what they hold
    std::map<std::string, std::chrono::steady_clock::time_point> notBefore;  // a failed replacement waits
    for (;;) {
        std::atomic<bool> endServe{false};
        std::vector<std::string> dead, drained;
        std::thread watcher([&] {
            while (!endServe) {
                if (stop) endServe = true;
                if (healAfter.count() > 0) {
                    const auto now = std::chrono::steady_clock::now();
                    for (const auto& url : listener.unreachableFor(healAfter))
                        if (!replaced.count(url) && (!notBefore.count(url) || notBefore[url] <= now)) dead.push_back(url);
                    for (const auto& url : listener.quietFor(healAfter))
                        if (replaced.count(url) && (!notBefore.count(url) || notBefore[url] <= now)) drained.push_back(url);
                    if (!dead.empty() || !drained.empty()) endServe = true;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        const auto remaining = count == 0 ? 0 : count - static_cast<std::uint32_t>(listener.handed());
        const auto result = listener.run(
            remaining, endServe, [](const std::string& line) { std::cout << line << std::endl; },
            [](const std::string& id, const Error& why) {
                std::cerr << "dhtpush: dropped message " << id << ": " << why.detail << "\n";
            });
        endServe = true;
        watcher.join();
        if (!result) return fail("listen", result.error());
        if (stop || (dead.empty() && drained.empty()) || (count && listener.handed() >= count)) break;
        for (const auto& url : drained) {
            if (retire(*state, url, statePath)) replaced.erase(url);
            else notBefore[url] = std::chrono::steady_clock::now() + healAfter;
        }
        for (const auto& url : dead) {
            if (heal(*state, url, statePath)) replaced.insert(url);
            else notBefore[url] = std::chrono::steady_clock::now() + healAfter;
        }
        listener.setState(*state);
    }
    if (listener.dropped() > 0)
        std::cerr << "dhtpush: " << listener.dropped() << " message(s) dropped (not from the app server)\n";
    return 0;
}

int sendCommand(const std::string& endpoint, const std::string& message, const PushOptions& options) {
    auto receipt = sendPush(endpoint, message, options);
    if (!receipt) return fail("send", receipt.error());
    std::cout << "sent: " << receipt->location << " (TTL " << receipt->ttlSeconds << " s)" << std::endl;
    return 0;
}

}  // namespace dhtpush::client
