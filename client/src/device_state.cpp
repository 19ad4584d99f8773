#include "dhtpush/client/device_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dhtpush/node/json.h"
#include "dhtpush/node/private_files.h"

namespace dhtpush::client {
namespace {

std::string field(const Json::Value& v, const char* name) { return v[name].isString() ? v[name].asString() : ""; }

}  // namespace

const ProxyAccount* DeviceState::findProxy(const std::string& url) const {
    for (const auto& p : proxies)
        if (p.url == url) return &p;
    return nullptr;
}

std::vector<std::string> Subscription::allProxies() const {
    std::vector<std::string> all{proxyUrl};
    for (const auto& url : proxyUrls)
        if (std::find(all.begin(), all.end(), url) == all.end()) all.push_back(url);
    return all;
}

const Subscription* DeviceState::findSubscription(const std::string& token) const {
    for (const auto& s : subscriptions)
        if (s.token == token) return &s;
    return nullptr;
}

std::string defaultStatePath() {
    if (const char* explicitPath = std::getenv("DHTPUSH_STATE"); explicitPath && *explicitPath) return explicitPath;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/dhtpush/device.json";
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.config/dhtpush/device.json";
}

Expected<DeviceState> loadDeviceState(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return DeviceState{};
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto json = node::parseJson(buffer.str());
    if (!json) return makeError(json.error().code, path + ": " + json.error().detail);
    const auto& root = *json;
    if (!root.isObject() || !root["proxies"].isArray() || !root["subscriptions"].isArray())
        return makeError(Errc::Invalid, path + ": not a dhtpush device state file");
    DeviceState state;
    for (const auto& entries : {root["proxies"], root["subscriptions"]})
        for (const auto& entry : entries)
            if (!entry.isObject()) return makeError(Errc::Invalid, path + ": an entry is not a JSON object");
    for (const auto& p : root["proxies"])
        state.proxies.push_back({field(p, "url"), field(p, "device_id"), field(p, "secret")});
    for (const auto& s : root["subscriptions"]) {
        Subscription sub{field(s, "token"), field(s, "endpoint"), field(s, "proxy"), field(s, "p256dh"),
                         field(s, "auth"),  field(s, "private_key"), {}};
        for (const auto& url : s["proxies"])
            if (url.isString()) sub.proxyUrls.push_back(url.asString());
        sub.vapidKey = field(s, "vapid_key");
        state.subscriptions.push_back(std::move(sub));
    }
    for (const auto& url : root["discovery"])
        if (url.isString()) state.discoveryUrls.push_back(url.asString());
    return state;
}

Status saveDeviceState(const std::string& path, const DeviceState& state) {
    Json::Value root(Json::objectValue);
    root["version"] = 1;
    root["proxies"] = Json::Value(Json::arrayValue);
    root["subscriptions"] = Json::Value(Json::arrayValue);
    for (const auto& p : state.proxies) {
        Json::Value v(Json::objectValue);
        v["url"] = p.url;
        v["device_id"] = p.deviceId;
        v["secret"] = p.secret;
        root["proxies"].append(v);
    }
    for (const auto& s : state.subscriptions) {
        Json::Value v(Json::objectValue);
        v["token"] = s.token;
        v["endpoint"] = s.endpoint;
        v["proxy"] = s.proxyUrl;
        v["p256dh"] = s.p256dh;
        v["auth"] = s.auth;
        v["private_key"] = s.privateKey;
        v["proxies"] = Json::Value(Json::arrayValue);
        for (const auto& url : s.allProxies()) v["proxies"].append(url);
        if (!s.vapidKey.empty()) v["vapid_key"] = s.vapidKey;
        root["subscriptions"].append(v);
    }
    if (!state.discoveryUrls.empty()) {
        root["discovery"] = Json::Value(Json::arrayValue);
        for (const auto& url : state.discoveryUrls) root["discovery"].append(url);
    }
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty())
        if (auto made = node::createPrivateDirectory(parent.string()); !made) return made.error();
    // The only copy of the subscriptions' private keys: written whole or not at all.
    if (auto written = node::writePrivateFile(path, node::writeJson(root) + "\n", true); !written)
        return written.error();
    return success();
}

}  // namespace dhtpush::client
