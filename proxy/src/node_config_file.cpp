#include "node_config_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iomanip>
#include <optional>
#include <sstream>

#include "node_options.h"

namespace dhtpush::proxy {
namespace {

enum class Kind { Value, Switch, List };

// One option: its key, what TOML value it takes, and its effective value as TOML (empty:
// not printed, as for HTTPS options while HTTPS is off).
struct Key {
    const char* name;
    Kind kind;
    std::function<std::string(const NodeOptions&)> value;
};

std::string quoted(const std::string& text) {
    std::ostringstream out;
    out << '"';
    for (const char c : text) {
        if (c == '"' || c == '\\') out << '\\' << c;
        else if (static_cast<unsigned char>(c) < 0x20) out << "\\u" << std::hex << std::setw(4) << std::setfill('0') << static_cast<int>(c);
        else out << c;
    }
    out << '"';
    return out.str();
}
template <class T>
std::string number(T value) {
    std::ostringstream out;
    out << value;
    return out.str();
}
std::string seconds(std::chrono::milliseconds value) { return number(value.count() / 1000); }

const std::vector<Key>& keys() {
    static const std::vector<Key> table{
        {"data_dir", Kind::Value, [](const NodeOptions& o) { return quoted(o.dht.dataDir); }},
        {"http_address", Kind::Value, [](const NodeOptions& o) { return quoted(o.proxy.httpAddress); }},
        {"http_port", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.httpPort); }},
        {"tls_cert", Kind::Value, [](const NodeOptions& o) { return o.proxy.https.enabled() ? quoted(o.proxy.https.certFile) : ""; }},
        {"tls_key", Kind::Value, [](const NodeOptions& o) { return o.proxy.https.enabled() ? quoted(o.proxy.https.keyFile) : ""; }},
        {"https_address", Kind::Value, [](const NodeOptions& o) { return o.proxy.https.enabled() ? quoted(o.proxy.https.address) : ""; }},
        {"https_port", Kind::Value, [](const NodeOptions& o) { return o.proxy.https.enabled() ? number(o.proxy.https.port) : ""; }},
        {"public_url", Kind::Value, [](const NodeOptions& o) { return o.proxy.publicUrl.empty() ? "" : quoted(o.proxy.publicUrl); }},
        {"dht_address", Kind::Value, [](const NodeOptions& o) { return quoted(o.dht.bindAddress); }},
        {"dht_port", Kind::Value, [](const NodeOptions& o) { return number(o.dht.port); }},
        {"bootstrap", Kind::List,
         [](const NodeOptions& o) {
             std::string list = "[";
             for (const auto& entry : o.dht.bootstrap) list += (list.size() > 1 ? ", " : "") + quoted(entry);
             return list + "]";
         }},
        {"network", Kind::Value,
         [](const NodeOptions& o) {
             std::ostringstream out;
             out << "0x" << std::hex << std::setw(8) << std::setfill('0') << o.dht.networkId;
             return out.str();
         }},
        {"inbox_keys", Kind::Value, [](const NodeOptions& o) { return quoted(std::string(node::nameOf(o.dht.inboxKeys))); }},
        {"public", Kind::Switch, [](const NodeOptions&) { return std::string(); }},  // shown as network and bootstrap
        {"local_network", Kind::Switch, [](const NodeOptions& o) { return std::string(o.dht.unlimitedRate ? "true" : "false"); }},
        {"probe_interval", Kind::Value, [](const NodeOptions& o) { return number(o.dht.probeInterval.count()); }},
        {"announce_interval", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.announceInterval.count()); }},
        {"value_expiration", Kind::Value, [](const NodeOptions& o) { return number(o.dht.valueExpiration.count()); }},
        {"dht_storage_mib", Kind::Value, [](const NodeOptions& o) { return number(o.dht.storage.maxBytes >> 20); }},
        {"dht_values_per_key", Kind::Value, [](const NodeOptions& o) { return number(o.dht.storage.maxValuesPerKey); }},
        {"max_ttl", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxTtlSeconds); }},
        {"max_clock_skew", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxClockSkew.count()); }},
        {"mailbox_size", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.mailboxMessages); }},
        {"mailbox_bytes", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.mailboxBytes); }},
        {"subscription_messages", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.subscriptionMessages); }},
        {"subscription_bytes", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.subscriptionBytes); }},
        {"held_mib", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.heldBytes >> 20); }},
        {"inboxes", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.inboxes); }},
        {"max_publish_keys", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxPublishKeys); }},
        {"keep_alive", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.keepAlive.count()); }},
        {"log_level", Kind::Value,
         [](const NodeOptions& o) {
             const auto name = spdlog::level::to_string_view(o.logLevel);
             return quoted(std::string(name.data(), name.size()));
         }},
        {"connections_per_ip", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.connectionsPerAddress); }},
        {"tls_handshake_timeout", Kind::Value, [](const NodeOptions& o) { return seconds(o.proxy.tlsHandshakeTimeout); }},
        {"max_devices", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxDevices); }},
        {"max_subscriptions", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxSubscriptions); }},
        {"max_listens", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxListens); }},
        {"max_streams_per_device", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.maxStreamsPerDevice); }},
        {"invite_secret_file", Kind::Value,
         [](const NodeOptions& o) { return o.inviteSecretFile.empty() ? "" : quoted(o.inviteSecretFile); }},
        {"attach_rate", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.attachesPerMinute); }},
        {"subscribe_rate", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.subscribesPerMinute); }},
        {"post_rate_per_ip", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.postsPerSecond); }},
        {"post_rate_per_subscription", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.postsPerSubscription); }},
        {"post_rate_per_vapid_key", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.postsPerVapidKey); }},
        {"max_publish_keys_per_ip", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.newPublishKeysPerHour); }},
        {"stream_rate", Kind::Value, [](const NodeOptions& o) { return number(o.proxy.rates.streamOpensPerMinute); }},
    };
    return table;
}

std::string flagOf(std::string_view key) {
    std::string flag = "--" + std::string(key);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

// A scalar as the command line would give it.
std::optional<std::string> scalarText(const toml::node& value) {
    if (const auto* s = value.as_string()) return s->get();
    if (const auto* i = value.as_integer()) return std::to_string(i->get());
    if (const auto* f = value.as_floating_point()) return number(f->get());
    return std::nullopt;
}

}  // namespace

Expected<std::vector<std::string>> configTextOptions(std::string_view text) {
    toml::table table;
    try {
        table = toml::parse(text);
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << e.source().begin;
        return makeError(Errc::Malformed, "not TOML at " + where.str() + ": " + std::string(e.description()));
    }
    std::vector<std::string> options;
    for (const auto& [name, value] : table) {
        const std::string key(name.str());
        const auto known = std::find_if(keys().begin(), keys().end(), [&](const Key& k) { return key == k.name; });
        if (known == keys().end()) return makeError(Errc::Invalid, "unknown key '" + key + "'");
        const auto flag = flagOf(key);
        switch (known->kind) {
            case Kind::Switch:
                if (!value.is_boolean()) return makeError(Errc::Invalid, "'" + key + "' is true or false");
                if (value.as_boolean()->get()) options.push_back(flag);
                break;
            case Kind::List: {
                const auto* list = value.as_array();
                if (!list) return makeError(Errc::Invalid, "'" + key + "' is a list of strings");
                for (const auto& item : *list) {
                    if (!item.is_string()) return makeError(Errc::Invalid, "'" + key + "' is a list of strings");
                    options.push_back(flag);
                    options.push_back(item.as_string()->get());
                }
                break;
            }
            case Kind::Value: {
                auto scalar = scalarText(value);
                if (!scalar) return makeError(Errc::Invalid, "'" + key + "' is a number or a string");
                options.push_back(flag);
                options.push_back(*scalar);
                break;
            }
        }
    }
    return options;
}

Expected<std::vector<std::string>> configFileOptions(const std::string& path) {
    std::ifstream file(path);
    if (!file) return makeError(Errc::NotFound, "cannot read the configuration file " + path);
    std::stringstream text;
    text << file.rdbuf();
    auto options = configTextOptions(text.str());
    if (!options) return makeError(options.error().code, path + ": " + options.error().detail);
    return options;
}

std::string effectiveConfig(const NodeOptions& options) {
    std::string out = "# dhtpush-node: the effective configuration (a configuration file that gives it)\n";
    for (const auto& key : keys()) {
        const auto value = key.value(options);
        if (!value.empty()) out += std::string(key.name) + " = " + value + "\n";
    }
    return out;
}

}  // namespace dhtpush::proxy
