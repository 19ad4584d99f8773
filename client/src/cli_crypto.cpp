#include "cli_crypto.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/node/json.h"
#include "dhtpush/node/private_files.h"

namespace dhtpush::client {
namespace {

Expected<std::string> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(Errc::Invalid, "cannot read " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Creates `path` for the owner only; refuses to replace an existing file (a key is not
// something to lose by a typo).
Status writeNewPrivateFile(const std::string& path, const std::string& contents) {
    return node::writePrivateFile(path, contents, false);
}

bool has(const std::map<std::string, std::string>& options, const char* name) { return options.count(name) > 0; }

Error invalid(const std::string& detail) { return makeError(Errc::Invalid, detail); }

}  // namespace

int vapidKeygenCommand(const std::string& outPath) {
    auto keys = crypto::generateVapidKeys();
    if (!keys) {
        std::cerr << "dhtpush: cannot make VAPID keys: " << keys.error().detail << "\n";
        return 1;
    }
    auto json = vapidKeysToJson(*keys);
    crypto::wipe(keys->privateKey);
    if (outPath.empty()) {
        std::cout << json << std::endl;
    } else {
        auto saved = writeNewPrivateFile(outPath, json + "\n");
        crypto::wipe(json);
        if (!saved) {
            std::cerr << "dhtpush: " << saved.error().detail << "\n";
            return 1;
        }
        Json::Value pub(Json::objectValue);
        pub["publicKey"] = keys->publicKey;
        std::cout << node::writeJson(pub) << std::endl;
    }
    return 0;
}

Status applyPushCryptoOptions(const std::map<std::string, std::string>& options, std::string& endpoint,
                              PushOptions& push) {
    const bool keys = has(options, "--p256dh") || has(options, "--auth");
    if (keys && has(options, "--subscription")) return invalid("give --subscription FILE or --p256dh and --auth, not both");
    if (keys) {
        if (!has(options, "--p256dh") || !has(options, "--auth")) return invalid("encryption needs both --p256dh and --auth");
        push.p256dh = options.at("--p256dh");
        push.auth = options.at("--auth");
    }
    if (has(options, "--subscription")) {
        const auto& path = options.at("--subscription");
        auto text = readFile(path);
        if (!text) return text.error();
        auto subscription = parsePushSubscription(*text);
        if (!subscription) return invalid(path + ": " + subscription.error().detail);
        push.p256dh = subscription->p256dh;
        push.auth = subscription->auth;
        if (endpoint.empty()) endpoint = subscription->endpoint;
    }
    if (has(options, "--vapid") != has(options, "--subject"))
        return invalid("VAPID needs both --vapid FILE and --subject mailto:... (or https:...)");
    if (has(options, "--vapid")) {
        const auto& path = options.at("--vapid");
        auto text = readFile(path);
        if (!text) return text.error();
        auto vapid = parseVapidKeys(*text);
        crypto::wipe(*text);
        if (!vapid) return invalid(path + ": " + vapid.error().detail);
        push.vapid = std::move(*vapid);
        push.vapidSubject = options.at("--subject");
    }
    return success();
}

}  // namespace dhtpush::client
