#pragma once
// What the app library keeps for an app between runs: its connector token, the distributor it
// registered with, the endpoint it got, its RFC 8291 keys, and the ids of the last messages it
// handed to the app. JSON in a 0600 file (it holds the private key), written whole (temporary
// file, fsync, rename).
#include <string>
#include <vector>

#include "dhtpush/expected.h"

namespace dhtpush::connector {

struct ConnectorState {
    std::string token;  // the app's token with the distributor (random, base64url)
    std::string distributor;
    std::string endpoint;
    std::string p256dh;
    std::string auth;
    std::string privateKey;
    // The last MAX_HANDLED_IDS message ids handed to the app, oldest first: a distributor that
    // stopped before it learnt the app had a message hands it again, maybe to an app that
    // restarted meanwhile.
    std::vector<std::string> handledIds;
};

constexpr std::size_t MAX_HANDLED_IDS = 256;
// Appends the id, keeping the last MAX_HANDLED_IDS.
void rememberHandled(ConnectorState& state, const std::string& messageId);

// Reads `path`, or makes a new token and keys (in `dataDir`, created 0700) and writes them.
Expected<ConnectorState> loadOrMakeConnectorState(const std::string& dataDir, const std::string& path);
// `sync` false: not fsynced (see node::writePrivateFile), for the ids written at each message.
Status saveConnectorState(const std::string& path, const ConnectorState& state, bool sync = true);
// {"endpoint", "keys": {"p256dh", "auth"}}: what a WebPush library takes.
std::string subscriptionJson(const ConnectorState& state);

}  // namespace dhtpush::connector
