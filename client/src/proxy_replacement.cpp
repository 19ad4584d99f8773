#include "dhtpush/client/proxy_replacement.h"

#include <algorithm>
#include <set>

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/proxy_discovery.h"
#include "dhtpush/crypto/token.h"

namespace dhtpush::client {

std::vector<std::string> directoryNodes(const DeviceState& state, const std::string& except) {
    std::vector<std::string> nodes;
    for (const auto& account : state.proxies)
        if (account.url != except) nodes.push_back(account.url);
    for (const auto& url : state.discoveryUrls)
        if (url != except && std::find(nodes.begin(), nodes.end(), url) == nodes.end()) nodes.push_back(url);
    return nodes;
}

Expected<Replacement> replaceProxy(DeviceState& state, const std::string& deadUrl,
                                   const std::function<Status(const DeviceState&)>& save) {
    std::set<std::string> known;
    for (const auto& account : state.proxies) known.insert(account.url);
    auto found = discoverProxies(directoryNodes(state, deadUrl), 1, known);
    if (!found) return found.error();
    const auto& fresh = found->front();
    auto account = attachDevice(fresh.url);
    if (!account) return account.error();
    state.proxies.push_back(*account);
    if (auto saved = save(state); !saved) return saved.error();
    Replacement replacement{deadUrl, account->url, {}, 0, {}};
    for (auto& subscription : state.subscriptions) {
        auto proxies = subscription.allProxies();
        if (std::find(proxies.begin(), proxies.end(), deadUrl) == proxies.end()) continue;
        const auto token = crypto::SubscriptionToken::parse(subscription.token);
        if (!token || token->inInbox()) {
            replacement.stranded.push_back(subscription.token);
            continue;
        }
        auto created = addSubscription(*account, subscription.token, subscription.vapidKey);
        if (!created) return makeError(created.error().code, "moving a subscription to " + account->url + ": " +
                                                                 created.error().detail);
        std::replace(proxies.begin(), proxies.end(), deadUrl, account->url);
        subscription.proxyUrls = proxies;
        if (subscription.proxyUrl == deadUrl) {
            replacement.endpoints.push_back({subscription.token, subscription.endpoint, created->endpoint});
            subscription.proxyUrl = account->url;
            subscription.endpoint = created->endpoint;
        }
        ++replacement.moved;
        if (auto saved = save(state); !saved) return saved.error();
    }
    return replacement;
}

}  // namespace dhtpush::client
