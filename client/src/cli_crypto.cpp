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
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return makeError(Errc::Unavailable, "cannot create " + path + ": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < contents.size()) {
        const auto n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return makeError(Errc::Unavailable, "cannot write " + path);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return makeError(Errc::Unavailable, "cannot write " + path);
    return success();
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
