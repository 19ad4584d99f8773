#include "cli_commands.h"

#include <algorithm>
#include <iostream>

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/device_state.h"
#include "dhtpush/client/message_listener.h"
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

int subscribeCommand(const std::string& statePath, const std::vector<std::string>& proxyUrls,
                     const std::string& vapidKey) {
    auto state = loadDeviceState(statePath);
    if (!state) return fail("cannot read the device state", state.error());
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
                              keys->privateKey, {}};
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

int listenCommand(const std::string& statePath, std::uint32_t count, const std::atomic<bool>& stop) {
    auto state = loadDeviceState(statePath);
    if (!state) return fail("cannot read the device state", state.error());
    if (state->proxies.empty())
        return fail("listen", makeError(Errc::NotFound, "this device has no proxy yet: run 'dhtpush subscribe --proxy URL'"));
    std::cerr << "dhtpush: listening on " << state->proxies.size() << " prox"
              << (state->proxies.size() == 1 ? "y" : "ies") << "\n";
    MessageListener listener(*state);
    const auto result = listener.run(
        count, stop, [](const std::string& line) { std::cout << line << std::endl; },
        [](const std::string& id, const Error& why) {
            std::cerr << "dhtpush: dropped message " << id << ": " << why.detail << "\n";
        });
    if (listener.dropped() > 0)
        std::cerr << "dhtpush: " << listener.dropped() << " message(s) dropped (not from the app server)\n";
    if (!result) return fail("listen", result.error());
    return 0;
}

int sendCommand(const std::string& endpoint, const std::string& message, const PushOptions& options) {
    auto receipt = sendPush(endpoint, message, options);
    if (!receipt) return fail("send", receipt.error());
    std::cout << "sent: " << receipt->location << " (TTL " << receipt->ttlSeconds << " s)" << std::endl;
    return 0;
}

}  // namespace dhtpush::client
