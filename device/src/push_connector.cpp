#include "dhtpush/connector/push_connector.h"

#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "connector_state.h"
#include "dhtpush/client/message_listener.h"
#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "dhtpush/node/json.h"
#include "up_names.h"

namespace dhtpush::connector {
namespace {

using Dict = std::map<std::string, sdbus::Variant>;
constexpr auto CALL_TIMEOUT = std::chrono::seconds(25);  // a distributor being activated answers late
constexpr std::size_t MAX_ENDPOINT_BYTES = 1000;         // the spec's bound

std::string stringField(const Dict& args, const char* key) {
    const auto it = args.find(key);
    return it != args.end() && it->second.containsValueOfType<std::string>() ? it->second.get<std::string>() : std::string();
}

class ConnectorImpl : public PushConnector {
public:
    ConnectorImpl(std::string appId, std::string statePath, ConnectorState state, Callbacks callbacks)
        : appId_(std::move(appId)), statePath_(std::move(statePath)), state_(std::move(state)), callbacks_(std::move(callbacks)) {
        for (const auto& id : state_.handledIds) seen_.insert(id);  // handed before a restart
    }

    ~ConnectorImpl() override {
        if (served_) served_->leaveEventLoop();
        if (loop_.joinable()) loop_.join();
        object_.reset();
    }

    Status start() {
        try {
            calls_ = sdbus::createSessionBusConnection();
            served_ = sdbus::createSessionBusConnection(appId_);
            object_ = sdbus::createObject(*served_, device::up::CONNECTOR_PATH);
            serveVersion1();
            serveVersion2();
            object_->finishRegistration();
            // Our own thread rather than sdbus-c++'s: when the bus goes (the session ends), its
            // loop throws, and an exception out of a thread would end the app.
            loop_ = std::thread([this] {
                try {
                    served_->enterEventLoop();
                } catch (const sdbus::Error&) {
                    // the bus is gone: nothing more will come
                }
            });
        } catch (const sdbus::Error& e) {
            return makeError(Errc::Unavailable, "D-Bus: " + e.getName() + ": " + e.getMessage());
        }
        return success();
    }

    Status registerApp(const std::string& vapidKey, const std::string& description) override {
        try {
            const auto chosen = chooseDistributor();
            if (!chosen) return chosen.error();
            auto distributor = sdbus::createProxy(*calls_, *chosen, device::up::DISTRIBUTOR_PATH);
            std::string xml;
            distributor->callMethod("Introspect").onInterface("org.freedesktop.DBus.Introspectable").withTimeout(CALL_TIMEOUT).storeResultsTo(xml);
            std::string result, reason;
            const auto token = currentState().token;
            if (xml.find(device::up::DISTRIBUTOR2) != std::string::npos) {
                Dict args{{"service", sdbus::Variant(appId_)}, {"token", sdbus::Variant(token)},
                          {"description", sdbus::Variant(description)}};
                if (!vapidKey.empty()) args.emplace("vapid", sdbus::Variant(vapidKey));
                Dict reply;
                distributor->callMethod("Register").onInterface(device::up::DISTRIBUTOR2).withTimeout(CALL_TIMEOUT)
                    .withArguments(args).storeResultsTo(reply);
                result = stringField(reply, "success");
                reason = stringField(reply, "reason");
            } else {
                distributor->callMethod("Register").onInterface(device::up::DISTRIBUTOR1).withTimeout(CALL_TIMEOUT)
                    .withArguments(appId_, token, description).storeResultsTo(result, reason);
            }
            if (result != device::up::REGISTRATION_SUCCEEDED) {
                if (callbacks_.onRegistrationFailed) callbacks_.onRegistrationFailed(reason.empty() ? result : reason);
                return makeError(Errc::Forbidden, "the distributor refused: " + (reason.empty() ? result : reason));
            }
            return update([&](ConnectorState& s) { s.distributor = *chosen; });
        } catch (const sdbus::Error& e) {
            if (callbacks_.onRegistrationFailed) callbacks_.onRegistrationFailed(e.getName());
            return makeError(Errc::Unavailable, "D-Bus: " + e.getName() + ": " + e.getMessage());
        }
    }

    Status unregisterApp() override {
        const auto state = currentState();
        if (state.distributor.empty()) return makeError(Errc::NotFound, "not registered");
        try {
            auto distributor = sdbus::createProxy(*calls_, state.distributor, device::up::DISTRIBUTOR_PATH);
            Dict reply;
            distributor->callMethod("Unregister").onInterface(device::up::DISTRIBUTOR2).withTimeout(CALL_TIMEOUT)
                .withArguments(Dict{{"token", sdbus::Variant(state.token)}}).storeResultsTo(reply);
        } catch (const sdbus::Error& e) {
            return makeError(Errc::Unavailable, "D-Bus: " + e.getName() + ": " + e.getMessage());
        }
        return success();
    }

    std::string distributor() const override { return currentState().distributor; }

private:
    ConnectorState currentState() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return state_;
    }

    template <class Change>
    Status update(Change change) {
        std::lock_guard<std::mutex> lock(mutex_);
        change(state_);
        return saveConnectorState(statePath_, state_);
    }

    Expected<std::string> chooseDistributor() {
        auto names = listDistributors();
        if (!names) return names.error();
        const auto present = [&](const std::string& name) { return std::find(names->begin(), names->end(), name) != names->end(); };
        if (const char* wanted = std::getenv("UNIFIEDPUSH_DISTRIBUTOR"); wanted && *wanted) {
            const auto name = std::string(device::up::DISTRIBUTOR_NAME_PREFIX) + wanted;
            if (!present(name)) return makeError(Errc::NotFound, "UNIFIEDPUSH_DISTRIBUTOR names " + name + ", which is not on the bus");
            return name;
        }
        if (const auto saved = currentState().distributor; !saved.empty() && present(saved)) return saved;
        if (const auto ours = std::string(device::up::DISTRIBUTOR_NAME_PREFIX) + "dhtpush"; present(ours)) return ours;
        if (names->empty()) return makeError(Errc::Unavailable, "no UnifiedPush distributor on the session bus");
        return names->front();
    }

    // The token is the app's secret with its distributor: compared in constant time.
    bool ours(const std::string& token) const { return !token.empty() && crypto::constantTimeEqual(token, currentState().token); }

    void newEndpoint(const std::string& token, const std::string& endpoint) {
        // The spec: a call whose fields do not follow it is ignored.
        if (!ours(token) || endpoint.size() > MAX_ENDPOINT_BYTES ||
            (endpoint.rfind("https://", 0) != 0 && endpoint.rfind("http://", 0) != 0))
            return;
        update([&](ConnectorState& s) { s.endpoint = endpoint; });
        if (callbacks_.onNewEndpoint) callbacks_.onNewEndpoint(endpoint, subscriptionJson(currentState()));
    }

    void message(const std::string& token, const std::vector<std::uint8_t>& body, const std::string& id) {
        if (!ours(token)) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            // A distributor may hand a message again (it stopped before our reply reached it).
            if (!id.empty() && !seen_.insert(id)) return;
        }
        const auto state = currentState();
        auto plaintext = crypto::webpushDecrypt(crypto::Bytes(body.begin(), body.end()), state.p256dh, state.privateKey, state.auth);
        if (!plaintext) return;  // only the app server, holding our keys, writes what we show
        if (callbacks_.onMessage) callbacks_.onMessage(std::string(plaintext->begin(), plaintext->end()), id);
        // Kept before the reply tells the distributor it was taken: after a crash between the
        // two the app would rather see a message twice than never. Not fsynced: it is what an
        // app restart needs, and an fsync per message would hold every next message up.
        if (!id.empty()) {
            std::lock_guard<std::mutex> lock(mutex_);
            rememberHandled(state_, id);
            saveConnectorState(statePath_, state_, false);
        }
    }

    void unregistered(const std::string& token) {
        if (!token.empty() && !ours(token)) return;
        update([](ConnectorState& s) { s.endpoint.clear(); });
        if (callbacks_.onUnregistered) callbacks_.onUnregistered();
    }

    void serveVersion1() {
        object_->registerMethod("NewEndpoint").onInterface(device::up::CONNECTOR1).implementedAs(
            [this](const std::string& token, const std::string& endpoint) { newEndpoint(token, endpoint); }).withNoReply();
        object_->registerMethod("Message").onInterface(device::up::CONNECTOR1).implementedAs(
            [this](const std::string& token, const std::vector<std::uint8_t>& body, const std::string& id) { message(token, body, id); })
            .withNoReply();
        object_->registerMethod("Unregistered").onInterface(device::up::CONNECTOR1).implementedAs(
            [this](const std::string& token) { unregistered(token); }).withNoReply();
    }

    void serveVersion2() {
        object_->registerMethod("NewEndpoint").onInterface(device::up::CONNECTOR2).implementedAs([this](const Dict& args) {
            newEndpoint(stringField(args, "token"), stringField(args, "endpoint"));
            return Dict{};
        });
        object_->registerMethod("Message").onInterface(device::up::CONNECTOR2).implementedAs([this](const Dict& args) {
            const auto body = args.find("message");
            const auto id = stringField(args, "id");
            if (body != args.end() && body->second.containsValueOfType<std::vector<std::uint8_t>>())
                message(stringField(args, "token"), body->second.get<std::vector<std::uint8_t>>(), id);
            // Taken (shown, a repeat, or dropped as not ours to show): the distributor may ack it.
            return id.empty() ? Dict{} : Dict{{"id", sdbus::Variant(id)}};
        });
        object_->registerMethod("Unregistered").onInterface(device::up::CONNECTOR2).implementedAs([this](const Dict& args) {
            unregistered(stringField(args, "token"));
            return Dict{};
        });
    }

    std::string appId_;
    std::string statePath_;
    mutable std::mutex mutex_;
    ConnectorState state_;
    client::RecentIds seen_{1024};
    Callbacks callbacks_;
    std::unique_ptr<sdbus::IConnection> calls_;   // our calls to the distributor
    std::unique_ptr<sdbus::IConnection> served_;  // owns appId_, serves the connector
    std::unique_ptr<sdbus::IObject> object_;
    std::thread loop_;
};

}  // namespace

Expected<std::vector<std::string>> listDistributors() {
    try {
        auto connection = sdbus::createSessionBusConnection();
        auto bus = sdbus::createProxy(*connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
        std::vector<std::string> running, activatable;
        bus->callMethod("ListNames").onInterface("org.freedesktop.DBus").storeResultsTo(running);
        bus->callMethod("ListActivatableNames").onInterface("org.freedesktop.DBus").storeResultsTo(activatable);
        std::vector<std::string> names;
        for (const auto* list : {&running, &activatable})
            for (const auto& name : *list)
                if (name.rfind(device::up::DISTRIBUTOR_NAME_PREFIX, 0) == 0 &&
                    std::find(names.begin(), names.end(), name) == names.end())
                    names.push_back(name);
        std::sort(names.begin(), names.end());
        return names;
    } catch (const sdbus::Error& e) {
        return makeError(Errc::Unavailable, "D-Bus: " + e.getName() + ": " + e.getMessage());
    }
}

Expected<std::unique_ptr<PushConnector>> PushConnector::create(const std::string& appId, const std::string& dataDir,
                                                               Callbacks callbacks) {
    const auto path = dataDir + "/connector.json";
    auto state = loadOrMakeConnectorState(dataDir, path);
    if (!state) return state.error();
    auto connector = std::make_unique<ConnectorImpl>(appId, path, std::move(*state), std::move(callbacks));
    if (auto started = connector->start(); !started) return started.error();
    return std::unique_ptr<PushConnector>(std::move(connector));
}

}  // namespace dhtpush::connector
