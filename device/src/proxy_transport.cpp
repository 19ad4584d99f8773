#include "proxy_transport.h"

#include "dhtpush/client/device_client.h"
#include "dhtpush/crypto/token.h"

namespace dhtpush::device {

ProxyTransport::ProxyTransport(RegistrationStore& store, std::vector<std::string> proxyUrls)
    : store_(store), proxyUrls_(std::move(proxyUrls)) {
    for (auto& url : proxyUrls_)
        while (!url.empty() && url.back() == '/') url.pop_back();
}

std::vector<client::ProxyAccount> ProxyTransport::accounts() const {
    std::vector<client::ProxyAccount> listed;
    const auto known = store_.proxies();
    for (const auto& url : proxyUrls_)
        for (const auto& account : known)
            if (account.url == url) listed.push_back(account);
    return listed;
}

Status ProxyTransport::attach() {
    Error last{Errc::Unavailable, "no proxy configured"};
    for (const auto& url : proxyUrls_) {
        const auto known = store_.proxies();
        bool have = false;
        for (const auto& account : known) have = have || account.url == url;
        if (have) continue;
        auto attached = client::attachDevice(url);
        if (!attached) {
            last = attached.error();
            continue;
        }
        // Kept at once: the proxy now knows this device, and its secret must not be lost.
        if (auto saved = store_.addProxy(*attached); !saved) return saved;
    }
    if (accounts().empty()) return last;
    return success();
}

Expected<PushSubscription> ProxyTransport::subscribe(const std::string& vapidKey) {
    const auto listed = accounts();
    if (listed.empty()) return makeError(Errc::Unavailable, "attached to no proxy");
    // As `dhtpush subscribe` does: several proxies share one token of version 1 (a key of its
    // own); with one proxy, that proxy makes an inbox token.
    std::string token = listed.size() > 1 ? crypto::SubscriptionToken::generate().text() : std::string();
    std::string endpoint;
    Error last{Errc::Unavailable, "no proxy took the subscription"};
    for (const auto& account : listed) {
        auto created = client::addSubscription(account, token, vapidKey);
        if (!created) {
            last = created.error();  // the others watch it; this proxy misses it
            continue;
        }
        if (endpoint.empty()) endpoint = created->endpoint;
        token = created->token;
    }
    if (endpoint.empty()) return last;
    return PushSubscription{token, endpoint};
}

Status ProxyTransport::unsubscribe(const std::string& pushToken) {
    Status result = success();
    for (const auto& account : accounts())
        if (auto removed = client::removeSubscription(account, pushToken); !removed && removed.error().code != Errc::NotFound)
            result = removed;
    return result;
}

Status ProxyTransport::acknowledge(const std::vector<std::string>& messageIds) {
    Status result = success();
    for (const auto& account : accounts())
        if (auto acked = client::acknowledge(account, messageIds); !acked) result = acked;
    return result;
}

Status ProxyTransport::run(const std::atomic<bool>& stop, const Handler& handle) {
    client::DeviceState state;
    state.proxies = accounts();
    client::MessageListener listener(std::move(state));
    {
        std::lock_guard<std::mutex> lock(mutex_);
        listener.setMinUrgency(minUrgency_);
        listening_ = &listener;
    }
    auto served = listener.serve(0, stop, [&](const node::DeliveredMessage& message) {
        return handle(IncomingMessage{message.token, message.envelope.idText(), message.envelope.body});
    });
    std::lock_guard<std::mutex> lock(mutex_);
    listening_ = nullptr;
    return served;
}

void ProxyTransport::handedLater(const std::string& messageId) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (listening_ && listening_->handedLater(messageId)) return;
    }
    acknowledge({messageId});
}

void ProxyTransport::setMinUrgency(node::Urgency urgency) {
    std::lock_guard<std::mutex> lock(mutex_);
    minUrgency_ = urgency;
    if (listening_) listening_->setMinUrgency(urgency);
}

}  // namespace dhtpush::device
