#pragma once
// The app library ("like the GCM library"): what an app links to get push notifications from
// whichever UnifiedPush distributor runs on the D-Bus session bus (dhtpush-distributor or
// another). The app owns its bus name and serves the UnifiedPush connector; the library keeps
// the app's token and its RFC 8291 key pair and auth secret in a file only the user can read,
// and hands the app each message decrypted. docs/device.md, "The app library".
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dhtpush/expected.h"

namespace dhtpush::connector {

struct Callbacks {
    // The endpoint to give the app server, with the subscription JSON (endpoint and keys) a
    // WebPush library takes. After every successful registration, and when it changes.
    std::function<void(const std::string& endpoint, const std::string& subscriptionJson)> onNewEndpoint;
    // A message, decrypted; `id` is the distributor's id for it (may be empty). A message
    // that does not decrypt with the app's keys is dropped, never handed.
    std::function<void(const std::string& plaintext, const std::string& id)> onMessage;
    // The distributor removed the registration (the app asked, or the user did).
    std::function<void()> onUnregistered;
    // Register was refused: the spec's reason (e.g. "VAPID_REQUIRED"), or the D-Bus error.
    std::function<void(const std::string& reason)> onRegistrationFailed;
};

// Bus names of the UnifiedPush distributors on the session bus, running or activatable, sorted.
Expected<std::vector<std::string>> listDistributors();

class PushConnector {
public:
    // `appId`: the app's bus name (reverse DNS; the library owns it on the session bus).
    // `dataDir`: where its token and keys are kept (created 0700, the file 0600).
    static Expected<std::unique_ptr<PushConnector>> create(const std::string& appId, const std::string& dataDir,
                                                           Callbacks callbacks);
    virtual ~PushConnector() = default;

    // Registers with a distributor: $UNIFIEDPUSH_DISTRIBUTOR (the name after
    // "org.unifiedpush.Distributor."), else the one registered with before, else
    // org.unifiedpush.Distributor.dhtpush if present, else the first by name. Register again at
    // every start: the endpoint arrives through onNewEndpoint. `vapidKey` may be empty.
    virtual Status registerApp(const std::string& vapidKey, const std::string& description) = 0;
    virtual Status unregisterApp() = 0;
    // The distributor in use (empty before the first registration).
    virtual std::string distributor() const = 0;
};

}  // namespace dhtpush::connector
