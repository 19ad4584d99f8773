#include "proxy_transport.h"

#include <algorithm>
#include <set>
#include <thread>

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/proxy_discovery.h"
#include "dhtpush/crypto/token.h"
#include "distributor_log.h"

namespace dhtpush::device {

ProxyTransport::ProxyTransport(RegistrationStore& store, std::vector<std::string> proxyUrls, ProxyDiscovery discovery)
    : store_(store), discovery_(std::move(discovery)), proxyUrls_(std::move(proxyUrls)) {
    for (auto& url : proxyUrls_)
        while (!url.empty() && url.back() == '/') url.pop_back();
    // With discovery the store's accounts are the list: those found by an earlier run.
    if (!discovery_.nodeUrls.empty())
        for (const auto& account : store_.proxies()) proxyUrls_.push_back(account.url);
}

std::vector<std::string> ProxyTransport::urls() const {
    std::lock_guard<std::mutex> lock(urlsMutex_);
    return proxyUrls_;
}

bool ProxyTransport::discover() {
    if (discovery_.nodeUrls.empty()) return true;
    const auto current = urls();
    if (current.size() >= discovery_.proxies) return true;
    auto nodes = discovery_.nodeUrls;
    nodes.insert(nodes.end(), current.begin(), current.end());
    auto found = client::discoverProxies(nodes, discovery_.proxies - current.size(),
                                         std::set<std::string>(current.begin(), current.end()));
    if (!found) {
        logLine(LogLevel::Warning, "cannot find proxies in the directory yet: " + found.error().detail);
        return false;
    }
    std::lock_guard<std::mutex> lock(urlsMutex_);
    for (const auto& candidate : *found) {
        proxyUrls_.push_back(candidate.url);
        logLine(LogLevel::Info, "found proxy " + candidate.url + " in the directory");
    }
    return true;
}

std::vector<client::ProxyAccount> ProxyTransport::accounts() const {
    std::vector<client::ProxyAccount> listed;
    const auto known = store_.proxies();
    for (const auto& url : urls())
        for (const auto& account : known)
            if (account.url == url) listed.push_back(account);
    return listed;
}

Status ProxyTransport::attach() {
    Error last{Errc::Unavailable, "no proxy configured"};
    if (!discover()) last = Error{Errc::Unavailable, "no proxy found in the directory"};
    for (const auto& url : urls()) {
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
    // own); with one proxy listed, that proxy makes an inbox token. Counted on the list, not on
    // the proxies that answer now: one that answers later must be able to watch it too.
    const auto listedUrls = urls();
    std::string token = listedUrls.size() > 1 ? crypto::SubscriptionToken::generate().text() : std::string();
    std::string endpoint;
    std::vector<std::string> missed;
    Error last{Errc::Unavailable, "no proxy took the subscription"};
    for (const auto& account : listed) {
        auto created = client::addSubscription(account, token, vapidKey);
        if (!created) {
            last = created.error();  // the others watch it; this proxy is owed it
            missed.push_back(account.url);
            continue;
        }
        if (endpoint.empty()) endpoint = created->endpoint;
        token = created->token;
    }
    if (endpoint.empty()) return last;
    // Owed too: the listed proxies not attached yet (the token is version 1 whenever there are
    // two or more, so they can watch it once they answer).
    for (const auto& url : listedUrls) {
        bool attached = false;
        for (const auto& account : listed) attached = attached || account.url == url;
        if (!attached) missed.push_back(url);
    }
    for (const auto& url : missed) owe(url, token, vapidKey);
    return PushSubscription{token, endpoint};
}

Status ProxyTransport::unsubscribe(const std::string& pushToken) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [url, owed] : owed_)
            owed.erase(std::remove_if(owed.begin(), owed.end(), [&](const Owed& o) { return o.pushToken == pushToken; }),
                       owed.end());
    }
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
    for (;;) {
        // Ends the listener's streams: at stop, or when a proxy answers that did not before.
        std::atomic<bool> restart{false};
        std::thread retrying([&] {
            auto next = std::chrono::steady_clock::now();
            while (!stop && !restart) {
                if (std::chrono::steady_clock::now() >= next) {
                    next = std::chrono::steady_clock::now() + ATTACH_RETRY;
                    if (attachMissing()) restart = true;
                    catchUp();
                    leaveRetired();
                }
                if (!restart && healDead()) {
                    restart = true;  // the streams reopen on the new list
                    catchUp();
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a stop ends the wait at once
            }
            restart = true;
        });
        client::DeviceState state;
        state.proxies = accounts();
        Status served = success();
        if (state.proxies.empty()) {
            while (!restart) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } else {
            client::MessageListener listener(std::move(state));
            {
                std::lock_guard<std::mutex> lock(mutex_);
                listener.setMinUrgency(minUrgency_);
                listening_ = &listener;
            }
            served = listener.serve(0, restart, [&](const node::DeliveredMessage& message) {
                return handle(IncomingMessage{message.token, message.envelope.idText(), message.envelope.body});
            });
            std::lock_guard<std::mutex> lock(mutex_);
            listening_ = nullptr;
        }
        restart = true;
        retrying.join();
        if (stop || !served) return served;
    }
}

bool ProxyTransport::attachMissing() {
    auto urlsOf = [](const std::vector<client::ProxyAccount>& accounts) {
        std::set<std::string> urls;
        for (const auto& account : accounts) urls.insert(account.url);
        return urls;
    };
    const auto before = urlsOf(accounts());
    const bool short_ = !discovery_.nodeUrls.empty() && urls().size() < discovery_.proxies;
    if (before.size() == urls().size() && !short_) return false;
    attach();
    const auto after = urlsOf(accounts());
    if (after.size() == before.size()) return false;
    logLine(LogLevel::Info, std::to_string(after.size()) + " of " + std::to_string(urls().size()) +
                                " proxies answer: receiving through them");
    // A proxy that just came is owed every registration's subscription.
    const auto registrations = store_.all();
    for (const auto& url : after)
        if (!before.count(url))
            for (const auto& r : registrations) owe(url, r.pushToken, r.vapidKey);
    return true;
}

void ProxyTransport::leaveRetired() {
    // One a round, so a retired proxy that hangs delays the others' turn only.
    const auto retired = store_.retiredProxies();
    if (retired.empty()) return;
    const auto& account = retired[nextRetired_++ % retired.size()];
    if (!client::detachDevice(account)) return;  // still away: tried again later
    store_.forgetRetired(account.url);
    logLine(LogLevel::Info, account.url + " answers again: left it (its subscriptions moved to another proxy)");
}

bool ProxyTransport::healDead() {
    if (discovery_.nodeUrls.empty() || discovery_.healAfter.count() == 0) return false;
    std::vector<std::string> dead;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!listening_) return false;
        dead = listening_->unreachableFor(discovery_.healAfter);
    }
    const auto now = std::chrono::steady_clock::now();
    for (const auto& url : dead) {
        if (healNotBefore_.count(url) && healNotBefore_[url] > now) continue;
        if (replace(url)) return true;
        healNotBefore_[url] = now + discovery_.healAfter;  // asked again after another grace period
    }
    return false;
}

bool ProxyTransport::replace(const std::string& deadUrl) {
    const auto current = urls();
    auto nodes = current;
    nodes.erase(std::remove(nodes.begin(), nodes.end(), deadUrl), nodes.end());
    nodes.insert(nodes.end(), discovery_.nodeUrls.begin(), discovery_.nodeUrls.end());
    auto found = client::discoverProxies(nodes, 1, std::set<std::string>(current.begin(), current.end()));
    if (!found) {
        logLine(LogLevel::Warning, deadUrl + " stays unreachable and cannot be replaced yet: " + found.error().detail);
        return false;
    }
    auto account = client::attachDevice(found->front().url);
    if (!account) {
        logLine(LogLevel::Warning, "cannot attach to " + found->front().url + ": " + account.error().detail);
        return false;
    }
    // Kept at once: the proxy now knows this device, and its secret must not be lost.
    if (auto saved = store_.addProxy(*account); !saved) return false;
    {
        std::lock_guard<std::mutex> lock(urlsMutex_);
        std::replace(proxyUrls_.begin(), proxyUrls_.end(), deadUrl, account->url);
    }
    // Its subscriptions are watched by the other proxies and now the new one; what it held
    // reaches the device through them (the same tokens, in the DHT).
    store_.retireProxy(deadUrl);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        owed_.erase(deadUrl);
    }
    std::size_t moved = 0;
    for (const auto& registration : store_.all()) {
        auto created = client::addSubscription(*account, registration.pushToken, registration.vapidKey);
        if (!created) {
            owe(account->url, registration.pushToken, registration.vapidKey);
            continue;
        }
        ++moved;
        if (registration.endpoint.rfind(deadUrl + "/", 0) == 0 && endpointMoved_)
            endpointMoved_(registration.pushToken, created->endpoint);
    }
    logLine(LogLevel::Info, deadUrl + " stayed unreachable: " + std::to_string(moved) + " subscription(s) moved to " +
                                account->url);
    return true;
}

void ProxyTransport::owe(const std::string& url, const std::string& pushToken, const std::string& vapidKey) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& owed = owed_[url];
    for (auto& o : owed)
        if (o.pushToken == pushToken) {
            o.vapidKey = vapidKey;
            return;
        }
    // Only the registrations' subscriptions are owed, and those are bounded; this bound is a
    // guard against a bug rather than a limit a user meets.
    if (owed.size() >= MAX_OWED) {
        logLine(LogLevel::Warning, "more than " + std::to_string(MAX_OWED) + " subscriptions owed to " + url + ": one dropped");
        return;
    }
    owed.push_back({pushToken, vapidKey});
}

void ProxyTransport::catchUp() {
    for (const auto& account : accounts()) {
        std::vector<Owed> owed;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = owed_.find(account.url);
            if (it == owed_.end()) continue;
            owed.swap(it->second);
            owed_.erase(it);
        }
        std::size_t given = 0;
        for (; given < owed.size(); ++given) {
            auto added = client::addSubscription(account, owed[given].pushToken, owed[given].vapidKey);
            // Tried again later: the proxy is away, or its rate limit (429) says wait. Any
            // other refusal will not change (an inbox token, made when one proxy was listed,
            // cannot be watched by another): that one is let go, the rest go on.
            if (!added && (added.error().code == Errc::Unavailable || added.error().code == Errc::QuotaExceeded)) break;
            if (!added)
                logLine(LogLevel::Warning, account.url + " refuses an owed subscription: " + added.error().detail);
        }
        if (given == owed.size()) continue;
        logLine(LogLevel::Info, std::to_string(owed.size() - given) + " subscription(s) still owed to " + account.url +
                                    " (tried again in 5 s)");
        std::lock_guard<std::mutex> lock(mutex_);
        auto& rest = owed_[account.url];
        rest.insert(rest.begin(), owed.begin() + static_cast<std::ptrdiff_t>(given), owed.end());
    }
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
