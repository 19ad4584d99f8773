#include "node_options.h"

#include "node_config_file.h"

#include <charconv>
#include <fstream>

namespace dhtpush::proxy {
namespace {

constexpr const char* PUBLIC_BOOTSTRAP = "bootstrap.jami.net:4222";
// Each inbox is a DHT listen and a database row: more than this is a typo, not a plan.
constexpr std::size_t MAX_INBOXES = 4096;
// OpenDHT 2.4 keeps its storage limit in an int, and ours must stay 64 MiB below it (the room
// for value types only OpenDHT bounds; node/src/storage_budget.h): 2 GiB less 64 MiB.
constexpr std::size_t MAX_DHT_STORAGE_MIB = 2048 - 64;
constexpr std::size_t MAX_VALUES_PER_KEY = 65536;

template <class T>
bool parseNumber(const std::string& text, T& out, int base = 10) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

// A rate: a non-negative decimal number.
bool parseNumber(const std::string& text, double& out, int = 10) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size() && out >= 0;
}

// The secret in a file (its first line): never on the command line, where `ps` shows it.
Expected<std::string> readFirstLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return makeError(Errc::Invalid, "cannot read the invite secret from " + path);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.size() < 16) return makeError(Errc::Invalid, "the invite secret in " + path + " is shorter than 16 characters");
    return line;
}

Error usageError(const std::string& detail) { return makeError(Errc::Invalid, detail + " (see --help)"); }

}  // namespace

std::string nodeUsage() {
    return R"(Usage: dhtpush-node [options]

A dhtpush node: an OpenDHT node plus the HTTP push service (device API, WebPush endpoint).

Options:
  --data-dir DIR          where the node keeps its identity and database (default ./.dhtpush/node)
  --http-address ADDR     HTTP bind address (default 127.0.0.1)
  --http-port PORT        HTTP port, 0 for any free port (default 8080)
  --https-port PORT       also serve the HTTP API over TLS on this port, 0 for any free
                          port (default 8443 when --tls-cert and --tls-key are given)
  --https-address ADDR    HTTPS bind address (default: the --http-address)
  --tls-cert FILE         PEM certificate chain for HTTPS
  --tls-key FILE          PEM private key of that certificate
  --public-url URL        base URL put in endpoints handed to app servers (default
                          https://ADDR:HTTPS_PORT with HTTPS, else http://ADDR:PORT); set it
                          behind a reverse proxy
  --dht-address ADDR      UDP bind address of the DHT node (default 0.0.0.0)
  --dht-port PORT         UDP port of the DHT node, 0 for any free port (default 4222)
  --bootstrap HOST:PORT   a DHT node to join through; repeat for several
  --network ID            DHT network id, decimal or 0x-hex (default 0x64687470, a private
                          network); nodes only talk to nodes of the same id
  --public                join the public OpenDHT network (network 0, bootstrap
                          bootstrap.jami.net:4222) instead of a private one
  --value-expiration SEC  how long DHT nodes keep a notification envelope (default 600)
  --dht-storage-mib N     memory this node's DHT storage may take for push values, each
                          counted with OpenDHT's bookkeeping (default 512); past it, values
                          are not stored here and a POST here gets 503
  --dht-values-per-key N  push values stored at one DHT key (default 60000, at most 65536)
  --max-ttl SEC           the longest TTL honoured for a message (default 604800)
  --max-clock-skew SEC    how far ahead of this node's clock an envelope from the DHT may
                          say it was created; further ones are refused (default 60)
  --mailbox-size N        undelivered messages kept per device (default 1000)
  --mailbox-bytes N       bytes of undelivered messages kept per device (default 4194304)
  --subscription-messages N
                          undelivered messages kept per subscription (default 100)
  --subscription-bytes N  bytes of undelivered messages kept per subscription (default 262144)
  --inboxes N             inboxes (shared DHT keys) new subscriptions are spread over
                          (default 16); 0 gives each new subscription a key of its own
  --max-publish-keys N    distinct DHT keys that POSTs to this node may reach within an hour
                          (default 10000); past it a POST to a new key gets 503. 0: no limit
  --keep-alive SEC        event-stream keep-alive interval (default 15)
  --log-level LEVEL       trace, debug, info, warning, error or off (default info): what
                          goes to stderr, one event per line (journald takes it)
  --connections-per-ip N  open connections from one address (an IPv6 /64 counts as one),
                          over both listeners; 127.0.0.1 and ::1 are not counted
                          (default 128); 0: no limit
  --tls-handshake-timeout SEC
                          a TLS handshake must finish within this (default 10)
  --max-devices N         devices this proxy holds; past it attaching gets 507 (default 100000)
  --max-subscriptions N   subscriptions this proxy holds (default 1000000)
  --max-listens N         DHT listens for tokens devices bring themselves (default 10000)
  --max-streams-per-device N
                          event streams one device holds; a new one ends the oldest (default 4)
  --invite-secret-file FILE
                          a closed proxy: attaching needs 'Authorization: Bearer <the
                          file's first line>'
  --attach-rate N         devices attached per minute from one address (default 10)
  --subscribe-rate N      subscriptions made per minute from one address (default 60)
  --post-rate-per-ip N    messages per second from one address (default 1000)
  --post-rate-per-subscription N
                          messages per second to one subscription (default 10)
  --post-rate-per-vapid-key N
                          messages per second signed by one application server key (default 1000)
  --max-publish-keys-per-ip N
                          new DHT keys one address may send to per hour (default 1000)
  --stream-rate N         event streams one device may open per minute, bursts of twice
                          that (default 12)
                          (every rate: 0 turns it off; 127.0.0.1 and ::1 are not limited per address)
  --local-network         lift OpenDHT's per-IP rate limits (many nodes on one machine)
  --config FILE           read options from a TOML file, one key per option (http_port =
                          8080, bootstrap = ["host:4222"], local_network = true); options
                          given here override it. Every key: docs/dhtpush-node.toml
  --check-config          check the options (and file), print the effective configuration
                          as a configuration file, and exit
  --help                  show this text
  --version               show the version

Without --bootstrap (and without --public) the node is a standalone network of its own.
SIGINT or SIGTERM shut it down cleanly.
)";
}

namespace {

Expected<NodeOptions> parseArgs(const std::vector<std::string>& args) {
    NodeOptions o;
    o.dht.port = 4222;
    o.dht.dataDir = ".dhtpush/node";
    o.proxy.httpPort = 8080;
    bool publicNetwork = false, networkGiven = false, httpsPortGiven = false, httpsAddressGiven = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        auto next = [&](std::string& out) -> bool {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        std::string value;
        auto needValue = [&]() -> Expected<std::string> {
            if (!next(value)) return usageError(arg + " needs a value");
            return value;
        };
        auto number = [&](auto& out, const char* what) -> Status {
            auto v = needValue();
            if (!v) return v.error();
            if (!parseNumber(*v, out)) return usageError(std::string(what) + " must be a number, got '" + *v + "'");
            return success();
        };
        Status status = success();
        if (arg == "--help" || arg == "-h") o.help = true;
        else if (arg == "--version") o.version = true;
        else if (arg == "--check-config") o.checkConfig = true;
        else if (arg == "--public") publicNetwork = true;
        else if (arg == "--log-level") {
            auto v = needValue();
            if (!v) return v.error();
            auto level = log::parseLevel(*v);
            if (!level) return usageError(level.error().detail);
            o.logLevel = *level;
        }
        else if (arg == "--local-network") o.dht.unlimitedRate = true;
        else if (arg == "--data-dir") {
            auto v = needValue();
            if (!v) return v.error();
            o.dht.dataDir = *v;
        } else if (arg == "--http-address") {
            auto v = needValue();
            if (!v) return v.error();
            o.proxy.httpAddress = *v;
        } else if (arg == "--tls-cert" || arg == "--tls-key" || arg == "--https-address") {
            auto v = needValue();
            if (!v) return v.error();
            if (arg == "--https-address") httpsAddressGiven = true;
            (arg == "--tls-cert" ? o.proxy.https.certFile : arg == "--tls-key" ? o.proxy.https.keyFile
                                                                               : o.proxy.https.address) = *v;
        } else if (arg == "--public-url") {
            auto v = needValue();
            if (!v) return v.error();
            o.proxy.publicUrl = *v;
        } else if (arg == "--dht-address") {
            auto v = needValue();
            if (!v) return v.error();
            o.dht.bindAddress = *v;
        } else if (arg == "--bootstrap") {
            auto v = needValue();
            if (!v) return v.error();
            o.dht.bootstrap.push_back(*v);
        } else if (arg == "--network") {
            auto v = needValue();
            if (!v) return v.error();
            const bool hex = v->rfind("0x", 0) == 0 || v->rfind("0X", 0) == 0;
            if (!parseNumber(hex ? v->substr(2) : *v, o.dht.networkId, hex ? 16 : 10))
                return usageError("--network must be a 32-bit number, got '" + *v + "'");
            networkGiven = true;
        } else if (arg == "--http-port") status = number(o.proxy.httpPort, "--http-port");
        else if (arg == "--https-port") {
            status = number(o.proxy.https.port, "--https-port");
            httpsPortGiven = true;
        }
        else if (arg == "--dht-port") status = number(o.dht.port, "--dht-port");
        else if (arg == "--max-ttl") status = number(o.proxy.maxTtlSeconds, "--max-ttl");
        else if (arg == "--mailbox-size") status = number(o.proxy.mailboxMessages, "--mailbox-size");
        else if (arg == "--mailbox-bytes") status = number(o.proxy.mailboxBytes, "--mailbox-bytes");
        else if (arg == "--subscription-messages")
            status = number(o.proxy.subscriptionMessages, "--subscription-messages");
        else if (arg == "--subscription-bytes") status = number(o.proxy.subscriptionBytes, "--subscription-bytes");
        else if (arg == "--max-publish-keys") status = number(o.proxy.maxPublishKeys, "--max-publish-keys");
        else if (arg == "--inboxes") {
            status = number(o.proxy.inboxes, "--inboxes");
            if (status && o.proxy.inboxes > MAX_INBOXES)
                return usageError("--inboxes must be at most " + std::to_string(MAX_INBOXES));
        }
        else if (arg == "--dht-storage-mib") {
            std::size_t mib = 0;
            status = number(mib, "--dht-storage-mib");
            if (status && (mib == 0 || mib > MAX_DHT_STORAGE_MIB))
                return usageError("--dht-storage-mib must be between 1 and " + std::to_string(MAX_DHT_STORAGE_MIB));
            o.dht.storage.maxBytes = mib << 20;
        } else if (arg == "--dht-values-per-key") {
            status = number(o.dht.storage.maxValuesPerKey, "--dht-values-per-key");
            if (status && (o.dht.storage.maxValuesPerKey == 0 || o.dht.storage.maxValuesPerKey > MAX_VALUES_PER_KEY))
                return usageError("--dht-values-per-key must be between 1 and " + std::to_string(MAX_VALUES_PER_KEY) +
                                  " (OpenDHT's own bound)");
        }
        else if (arg == "--max-devices") status = number(o.proxy.maxDevices, "--max-devices");
        else if (arg == "--max-subscriptions") status = number(o.proxy.maxSubscriptions, "--max-subscriptions");
        else if (arg == "--max-listens") status = number(o.proxy.maxListens, "--max-listens");
        else if (arg == "--max-streams-per-device") {
            status = number(o.proxy.maxStreamsPerDevice, "--max-streams-per-device");
            if (status && o.proxy.maxStreamsPerDevice == 0) return usageError("--max-streams-per-device must be at least 1");
        } else if (arg == "--invite-secret-file") {
            auto v = needValue();
            if (!v) return v.error();
            auto invite = readFirstLine(*v);
            if (!invite) return invite.error();
            o.proxy.inviteSecret = *invite;
            o.inviteSecretFile = *v;
        } else if (arg == "--attach-rate") status = number(o.proxy.rates.attachesPerMinute, "--attach-rate");
        else if (arg == "--subscribe-rate") status = number(o.proxy.rates.subscribesPerMinute, "--subscribe-rate");
        else if (arg == "--post-rate-per-ip") status = number(o.proxy.rates.postsPerSecond, "--post-rate-per-ip");
        else if (arg == "--post-rate-per-subscription")
            status = number(o.proxy.rates.postsPerSubscription, "--post-rate-per-subscription");
        else if (arg == "--post-rate-per-vapid-key")
            status = number(o.proxy.rates.postsPerVapidKey, "--post-rate-per-vapid-key");
        else if (arg == "--max-publish-keys-per-ip")
            status = number(o.proxy.rates.newPublishKeysPerHour, "--max-publish-keys-per-ip");
        else if (arg == "--stream-rate") status = number(o.proxy.rates.streamOpensPerMinute, "--stream-rate");
        else if (arg == "--connections-per-ip")
            status = number(o.proxy.connectionsPerAddress, "--connections-per-ip");
        else if (arg == "--tls-handshake-timeout") {
            unsigned seconds = 0;
            status = number(seconds, "--tls-handshake-timeout");
            if (status && seconds == 0) return usageError("--tls-handshake-timeout must be at least 1");
            o.proxy.tlsHandshakeTimeout = std::chrono::seconds(seconds);
        } else if (arg == "--max-clock-skew") {
            unsigned seconds = 0;
            status = number(seconds, "--max-clock-skew");
            o.proxy.maxClockSkew = std::chrono::seconds(seconds);
        } else if (arg == "--value-expiration" || arg == "--keep-alive") {
            unsigned seconds = 0;
            status = number(seconds, arg.c_str());
            if (status && seconds == 0) return usageError(arg + " must be at least 1");
            (arg == "--keep-alive" ? o.proxy.keepAlive : o.dht.valueExpiration) = std::chrono::seconds(seconds);
        } else return usageError("unknown option '" + arg + "'");
        if (!status) return status.error();
    }
    if (o.proxy.maxTtlSeconds > node::MAX_TTL_SECONDS)
        return usageError("--max-ttl must be at most " + std::to_string(node::MAX_TTL_SECONDS) +
                          " (28 days): envelopes with a longer TTL are refused by other nodes");
    if (o.proxy.https.certFile.empty() != o.proxy.https.keyFile.empty())
        return usageError("HTTPS needs both --tls-cert and --tls-key");
    if ((httpsPortGiven || httpsAddressGiven) && !o.proxy.https.enabled())
        return usageError("--https-port and --https-address need --tls-cert and --tls-key");
    if (o.proxy.https.enabled() && !httpsPortGiven) o.proxy.https.port = 8443;
    if (!httpsAddressGiven) o.proxy.https.address = o.proxy.httpAddress;
    if (publicNetwork) {
        if (networkGiven && o.dht.networkId != 0) return usageError("--public and --network contradict each other");
        o.dht.networkId = 0;
        if (o.dht.bootstrap.empty()) o.dht.bootstrap.push_back(PUBLIC_BOOTSTRAP);
    }
    o.proxy.dataDir = o.dht.dataDir;
    o.proxy.valueExpiration = o.dht.valueExpiration;
    o.proxy.standalone = o.dht.bootstrap.empty();
    return o;
}

}  // namespace

Expected<NodeOptions> parseNodeOptions(const std::vector<std::string>& given) {
    std::vector<std::string> args, fromFile;
    std::string file;
    bool bootstrapGiven = false;
    for (std::size_t i = 0; i < given.size(); ++i) {
        if (given[i] == "--config") {
            if (i + 1 >= given.size()) return usageError("--config needs a value");
            file = given[++i];
            auto options = configFileOptions(file);
            if (!options) return options.error();
            fromFile = std::move(*options);
            continue;
        }
        bootstrapGiven = bootstrapGiven || given[i] == "--bootstrap";
        args.push_back(given[i]);
    }
    if (file.empty()) return parseArgs(args);
    // The file alone first, so that a bad value in it is reported as the file's.
    if (auto alone = parseArgs(fromFile); !alone) return makeError(alone.error().code, file + ": " + alone.error().detail);
    // A --bootstrap on the command line replaces the file's list instead of adding to it.
    if (bootstrapGiven)
        for (auto it = fromFile.begin(); it != fromFile.end();)
            it = *it == "--bootstrap" ? fromFile.erase(it, it + 2) : it + 1;
    fromFile.insert(fromFile.end(), args.begin(), args.end());
    return parseArgs(fromFile);
}

}  // namespace dhtpush::proxy
