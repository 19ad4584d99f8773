#include "connector_state.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/node/json.h"
#include "dhtpush/node/private_files.h"

namespace dhtpush::connector {
namespace {

// The file's keys and the fields they hold, for reading and writing alike.
std::vector<std::pair<std::string*, const char*>> fields(ConnectorState& state) {
    return {{&state.token, "token"}, {&state.distributor, "distributor"}, {&state.endpoint, "endpoint"},
            {&state.p256dh, "p256dh"}, {&state.auth, "auth"}, {&state.privateKey, "privateKey"}};
}

}  // namespace

Expected<ConnectorState> loadOrMakeConnectorState(const std::string& dataDir, const std::string& path) {
    if (auto made = node::createPrivateDirectory(dataDir); !made) return made.error();
    std::ifstream file(path);
    if (file) {
        std::stringstream text;
        text << file.rdbuf();
        auto json = node::parseJson(text.str());
        if (!json || !json->isObject()) return makeError(Errc::Malformed, path + " is not the library's state (JSON)");
        ConnectorState state;
        for (auto [field, key] : fields(state)) *field = (*json)[key].isString() ? (*json)[key].asString() : std::string();
        // Older files have none; anything but strings is skipped, and only the last are kept.
        if (const auto& handled = (*json)["handledIds"]; handled.isArray())
            for (const auto& id : handled)
                if (id.isString()) rememberHandled(state, id.asString());
        if (state.token.empty() || state.p256dh.empty() || state.auth.empty() || state.privateKey.empty())
            return makeError(Errc::Invalid, path + " lacks the token or keys: remove it to start afresh");
        return state;
    }
    auto keys = crypto::generateSubscriptionKeys();
    if (!keys) return keys.error();
    ConnectorState state{crypto::base64urlEncode(crypto::randomBytes(16)), "", "", keys->p256dh, keys->auth, keys->privateKey, {}};
    if (auto saved = saveConnectorState(path, state); !saved) return saved.error();
    return state;
}

Status saveConnectorState(const std::string& path, const ConnectorState& state, bool sync) {
    Json::Value json(Json::objectValue);
    auto copy = state;
    for (auto [field, key] : fields(copy)) json[key] = *field;
    json["handledIds"] = Json::Value(Json::arrayValue);
    for (const auto& id : state.handledIds) json["handledIds"].append(id);
    return node::writePrivateFile(path, node::writeJson(json) + "\n", true, sync);
}

void rememberHandled(ConnectorState& state, const std::string& messageId) {
    state.handledIds.push_back(messageId);
    if (state.handledIds.size() > MAX_HANDLED_IDS)
        state.handledIds.erase(state.handledIds.begin(),
                               state.handledIds.end() - static_cast<std::ptrdiff_t>(MAX_HANDLED_IDS));
}

std::string subscriptionJson(const ConnectorState& state) {
    Json::Value json(Json::objectValue);
    json["endpoint"] = state.endpoint;
    json["keys"]["p256dh"] = state.p256dh;
    json["keys"]["auth"] = state.auth;
    return node::writeJson(json);
}

}  // namespace dhtpush::connector
