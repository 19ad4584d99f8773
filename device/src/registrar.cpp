#include "registrar.h"

#include "distributor_log.h"

namespace dhtpush::device {
namespace {

up::FailReason reasonFor(const Error& error) {
    return error.code == Errc::Unavailable ? up::FailReason::Network : up::FailReason::InternalError;
}

}  // namespace

Registrar::Registrar(RegistrationStore& store, PushTransport& transport, AppCaller& apps, RegistrarLimits limits,
                     DispatchLimits dispatch)
    : store_(store), transport_(transport), apps_(apps), limits_(limits),
      dispatch_(
          dispatch,
          [this](std::size_t lane, const Registration& registration, const IncomingMessage& message) {
              return apps_.message(lane, registration, message.id, message.body);
          },
          [this](const Registration&, const IncomingMessage& message, bool taken) { return onHanded(message, taken); }) {
    // A proxy replaced for good: the app gives its server the new endpoint (UnifiedPush's
    // NewEndpoint is for exactly this).
    transport_.onEndpointMoved([this](const std::string& pushToken, const std::string& endpoint) {
        auto registration = store_.byPushToken(pushToken);
        if (!registration) return;
        registration->endpoint = endpoint;
        if (auto saved = store_.put(*registration); !saved) return;
        apps_.newEndpoint(*registration);
    });
}

Registrar::~Registrar() {
    transport_.onEndpointMoved({});
    apps_.finishQueued();
}

std::optional<up::FailReason> Registrar::registerApp(const RegisterRequest& request) {
    if (limits_.requireVapid && request.vapidKey.empty()) return up::FailReason::VapidRequired;
    auto existing = store_.byAppToken(request.token);
    if (existing && existing->service != request.service) {
        logLine(LogLevel::Warning, "register from " + request.service + " with a token another app holds: refused");
        return up::FailReason::InternalError;
    }
    if (existing && existing->vapidKey == request.vapidKey) {
        // Apps register again at every start: the same endpoint, told again.
        existing->version = request.version;
        existing->description = request.description;
        if (auto saved = store_.put(*existing); !saved) return up::FailReason::InternalError;
        apps_.newEndpoint(*existing);
        handWaiting(*existing);
        return std::nullopt;
    }
    if (!existing && store_.count() >= limits_.maxRegistrations) {
        logLine(LogLevel::Warning, "register from " + request.service + " refused: " +
                                       std::to_string(limits_.maxRegistrations) + " registrations already (--max-registrations)");
        return up::FailReason::ActionRequired;
    }
    auto subscription = transport_.subscribe(request.vapidKey);
    if (!subscription) {
        logLine(LogLevel::Warning, "register from " + request.service + ": no subscription: " + subscription.error().detail);
        return reasonFor(subscription.error());
    }
    Registration registration{request.token,       request.service,         request.version,      request.description,
                              request.vapidKey,    subscription->pushToken, subscription->endpoint};
    if (auto saved = store_.put(registration); !saved) {
        transport_.unsubscribe(subscription->pushToken);
        logLine(LogLevel::Error, "register from " + request.service + ": not stored: " + saved.error().detail);
        return up::FailReason::InternalError;
    }
    // A new key for a known app: its old subscription goes once the new one is kept (what came
    // to the old one and waits is still the app's).
    if (existing) transport_.unsubscribe(existing->pushToken);
    logLine(LogLevel::Info, "registered " + request.service + " (Distributor" + std::to_string(request.version) + ")");
    apps_.newEndpoint(registration);
    if (existing) {
        existing->version = request.version;
        handWaiting(*existing);
    }
    return std::nullopt;
}

void Registrar::unregisterApp(const std::string& token) {
    auto existing = store_.byAppToken(token);
    if (!existing) return;
    if (auto removed = transport_.unsubscribe(existing->pushToken); !removed)
        logLine(LogLevel::Warning, "unregister " + existing->service + ": a proxy kept the subscription: " + removed.error().detail);
    if (auto removed = store_.remove(token); !removed) {
        logLine(LogLevel::Error, "unregister " + existing->service + ": not removed: " + removed.error().detail);
        return;
    }
    logLine(LogLevel::Info, "unregistered " + existing->service);
    apps_.unregistered(*existing);
    // What waited for it is nobody's now: acknowledged, so the proxies drop it.
    std::vector<std::string> dropped;
    for (const auto& message : dispatch_.drain(existing->pushToken)) dropped.push_back(message.id);
    {
        std::lock_guard<std::mutex> lock(waitingMutex_);
        away_.erase(existing->pushToken);
        registeredAgain_.erase(existing->pushToken);
        if (const auto it = waiting_.find(existing->pushToken); it != waiting_.end()) {
            for (const auto& message : it->second) {
                dropped.push_back(message.id);
                waitingIds_.erase(message.id);
            }
            waitingCount_ -= it->second.size();
            waiting_.erase(it);
        }
    }
    if (!dropped.empty()) transport_.acknowledge(dropped);
}

client::Disposition Registrar::deliver(const IncomingMessage& message) {
    // Handed before a crash that came ahead of the network's ack: acknowledge, do not repeat.
    if (store_.wasHanded(message.id)) return client::Disposition::Handed;
    const auto registration = store_.byPushToken(message.pushToken);
    if (!registration) return client::Disposition::Handed;  // no app for it: acknowledged, dropped
    // A copy (another proxy, a stream reopened) of one on its way to the app, or waiting for it.
    if (dispatch_.holds(message.id)) return client::Disposition::Kept;
    std::lock_guard<std::mutex> lock(waitingMutex_);
    if (waitingIds_.count(message.id)) return client::Disposition::Kept;
    if (away_.count(message.pushToken)) {
        keepLocked(message);
        return client::Disposition::Kept;
    }
    // Past the dispatch's bounds it stays at the proxies, unacknowledged: it comes again with
    // the next stream that starts from the mailbox's beginning (the distributor's next start).
    if (!dispatch_.enqueue(*registration, message))
        logLine(LogLevel::Warning, "messages for " + registration->service + " past the queue's bound: one left at the proxies");
    return client::Disposition::Kept;
}

bool Registrar::onHanded(const IncomingMessage& message, bool taken) {
    if (taken) {
        if (auto marked = store_.markHanded(message.id); !marked)
            logLine(LogLevel::Error, "a handed message was not recorded: " + marked.error().detail);
        transport_.handedLater(message.id);
        return false;
    }
    if (!store_.byPushToken(message.pushToken)) {  // unregistered while it was being handed: nobody's now
        transport_.handedLater(message.id);
        return false;
    }
    std::lock_guard<std::mutex> lock(waitingMutex_);
    // A Register came while this call was under way (the call may have been what started the
    // app, by activation): it is tried once more instead of the app being taken for away.
    if (registeredAgain_.erase(message.pushToken)) return true;
    // Away: this one and the app's queued ones wait for its next Register. Under the lock, so
    // that a copy arriving meanwhile finds them in one place or the other.
    away_.insert(message.pushToken);
    keepLocked(message);
    for (auto& next : dispatch_.drain(message.pushToken)) keepLocked(std::move(next));
    return false;
}

void Registrar::keepLocked(IncomingMessage message) {
    auto& app = waiting_[message.pushToken];
    if (waitingCount_ >= MAX_WAITING || app.size() >= MAX_WAITING_PER_APP || waitingIds_.count(message.id)) {
        if (app.empty()) waiting_.erase(message.pushToken);
        return;  // left at the proxies: it comes again at the next start
    }
    waitingIds_.insert(message.id);
    app.push_back(std::move(message));
    ++waitingCount_;
}

std::size_t Registrar::waitingFor(const std::string& pushToken) const {
    const auto queued = dispatch_.queuedFor(pushToken);
    std::lock_guard<std::mutex> lock(waitingMutex_);
    const auto it = waiting_.find(pushToken);
    return queued + (it == waiting_.end() ? 0 : it->second.size());
}

std::size_t Registrar::removeService(const std::string& service) {
    std::size_t removed = 0;
    for (const auto& registration : store_.all())
        if (registration.service == service) {
            unregisterApp(registration.appToken);
            ++removed;
        }
    return removed;
}

void Registrar::handWaiting(const Registration& registration) {
    // After the NewEndpoint queued before it: the app hears of its endpoint first.
    apps_.later([this, registration] {
        std::lock_guard<std::mutex> lock(waitingMutex_);
        away_.erase(registration.pushToken);
        registeredAgain_.insert(registration.pushToken);
        const auto it = waiting_.find(registration.pushToken);
        if (it == waiting_.end()) return;
        std::deque<IncomingMessage> messages;
        messages.swap(it->second);
        waiting_.erase(it);
        waitingCount_ -= messages.size();
        // Enqueued under the lock (then the dispatch's; never the other way round), so that a
        // newer message delivered meanwhile cannot overtake them.
        for (auto& message : messages) {
            waitingIds_.erase(message.id);
            if (store_.wasHanded(message.id)) {
                transport_.handedLater(message.id);
                continue;
            }
            if (!dispatch_.enqueue(registration, std::move(message)))
                logLine(LogLevel::Warning, "a waiting message for " + registration.service + " left at the proxies: queue full");
        }
    });
}

}  // namespace dhtpush::device
