#pragma once
// What registering, unregistering and delivering mean, apart from D-Bus: each registration is
// a subscription of the push transport (bound to the app's VAPID key when it gave one), kept
// in the store, and each message for it goes to the app's connector and is acknowledged to
// the network only once the app has taken it.
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "app_caller.h"
#include "message_dispatch.h"
#include "push_transport.h"
#include "registration_store.h"
#include "up_names.h"

namespace dhtpush::device {

struct RegistrarLimits {
    std::size_t maxRegistrations{256};  // past it: REGISTRATION_FAILED, ACTION_REQUIRED
    bool requireVapid{false};           // without a key: REGISTRATION_FAILED, VAPID_REQUIRED
};

struct RegisterRequest {
    std::string service;
    std::string token;
    std::string description;
    std::string vapidKey;
    int version{2};
};

class Registrar {
public:
    // Messages an app could not take, kept to be handed when it registers again (they also stay
    // unacknowledged at the proxies, so one past this bound comes at the next start instead).
    static constexpr std::size_t MAX_WAITING = 1000;
    static constexpr std::size_t MAX_WAITING_PER_APP = 100;  // one flooded app leaves room for the others

    // `apps` has `dispatch.lanes` message lanes.
    Registrar(RegistrationStore& store, PushTransport& transport, AppCaller& apps, RegistrarLimits limits,
              DispatchLimits dispatch = {});
    // Waits for the work it queued on the app caller (which refers to it) to be done.
    ~Registrar();
    Registrar(const Registrar&) = delete;
    Registrar& operator=(const Registrar&) = delete;

    // nullopt: succeeded (NewEndpoint follows); otherwise why it failed. The request must have
    // passed up_validation.h; a token held by another app is refused (INTERNAL_ERROR).
    std::optional<up::FailReason> registerApp(const RegisterRequest& request);
    // An unknown token is ignored. The app is told (Unregistered) either way it was known.
    void unregisterApp(const std::string& token);
    // Queues the message for its app (message_dispatch.h) and returns Kept: it is acknowledged
    // to the network once the app took it (PushTransport::handedLater). Handed for one handed
    // before or for no app (acknowledged, dropped).
    client::Disposition deliver(const IncomingMessage& message);

    std::vector<Registration> registrations() const { return store_.all(); }
    // How many messages wait for this registration's app: queued for it, or kept while it is
    // away (see MAX_WAITING).
    std::size_t waitingFor(const std::string& pushToken) const;
    // Unregisters every registration of `service` (a forced removal: the app is told); how many.
    std::size_t removeService(const std::string& service);

private:
    // Hands the app's waiting messages to it again (after its NewEndpoint).
    void handWaiting(const Registration& registration);
    // On a dispatch lane: what became of a message handed to its app; true to hand it again.
    bool onHanded(const IncomingMessage& message, bool taken);
    // Keeps a message for its app's next Register (at most MAX_WAITING); waitingMutex_ held.
    void keepLocked(IncomingMessage message);

    RegistrationStore& store_;
    PushTransport& transport_;
    AppCaller& apps_;
    RegistrarLimits limits_;
    mutable std::mutex waitingMutex_;
    std::map<std::string, std::deque<IncomingMessage>> waiting_;  // by push token
    std::size_t waitingCount_ = 0;
    std::set<std::string> waitingIds_;  // the ids in waiting_
    // Apps that did not take a message: theirs wait, uncalled, until they register again (a
    // stopped app costs one call timeout, not one per message).
    std::set<std::string> away_;  // push tokens
    // Registered since their last failed call: a call that fails now is tried once more (the
    // failed call may have been the one that started the app). At most one per registration.
    std::set<std::string> registeredAgain_;
    MessageDispatch dispatch_;    // last: its lanes call back into the members above
};

}  // namespace dhtpush::device
