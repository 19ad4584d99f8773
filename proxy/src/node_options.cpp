#include "node_options.h"

#include "node_config_file.h"

#include <fstream>
#include <sstream>
#include <type_traits>

#include "dhtpush/node/command_line.h"

namespace dhtpush::proxy {
namespace {

constexpr const char* PUBLIC_BOOTSTRAP = "bootstrap.jami.net:4222";
// Each inbox is a DHT listen and a database row: more than this is a typo, not a plan.
constexpr std::size_t MAX_INBOXES = 4096;
// OpenDHT 2.4 keeps its storage limit in an int, and ours must stay 64 MiB below it (the room
// for value types only OpenDHT bounds; node/src/storage_budget.h): 2 GiB less 64 MiB.
constexpr std::size_t MAX_DHT_STORAGE_MIB = 2048 - 64;
constexpr std::size_t MAX_VALUES_PER_KEY = 65536;

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

namespace {

namespace cl = node::command_line;

// What the options are parsed into before they become a NodeOptions: the values that take
// another shape there (seconds, MiB, the network id as text) and which ones were given.
struct ParsedOptions {
    NodeOptions o;
    bool publicNetwork{false};
    std::string network;
    std::string inboxKeys{"lanes"};
    std::string logLevel{"info"};
    std::size_t dhtStorageMib{0}, heldMib{0};
    unsigned valueExpiration{0}, keepAlive{0}, maxClockSkew{0}, tlsHandshakeTimeout{0}, probeInterval{0},
        announceInterval{0};
    std::string configFile;  // only for --help: parseNodeOptions reads --config itself
};

ParsedOptions defaults() {
    ParsedOptions p;
    p.o.dht.port = 4222;
    p.o.dht.dataDir = ".dhtpush/node";
    p.o.proxy.httpPort = 8080;
    std::ostringstream network;
    network << "0x" << std::hex << p.o.dht.networkId;
    p.network = network.str();
    p.dhtStorageMib = p.o.dht.storage.maxBytes >> 20;
    p.heldMib = p.o.proxy.heldBytes >> 20;
    p.valueExpiration = static_cast<unsigned>(p.o.dht.valueExpiration.count());
    p.keepAlive = static_cast<unsigned>(p.o.proxy.keepAlive.count());
    p.maxClockSkew = static_cast<unsigned>(p.o.proxy.maxClockSkew.count());
    p.tlsHandshakeTimeout = static_cast<unsigned>(p.o.proxy.tlsHandshakeTimeout.count() / 1000);
    p.probeInterval = static_cast<unsigned>(p.o.dht.probeInterval.count());
    p.announceInterval = static_cast<unsigned>(p.o.proxy.announceInterval.count());
    return p;
}

// Every option of dhtpush-node, bound to `p`; what --help shows with each default.
void describeOptions(CLI::App& app, ParsedOptions& p) {
    auto& o = p.o;
    app.set_help_flag();
    // A value given twice (in the file, then on the command line) is the last one's.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.formatter(cl::helpWithConfigKeys({"help", "version", "config", "check-config"}));
    auto value = [&app](const char* name, auto& target, const char* type, const std::string& text) {
        auto* option = app.add_option(name, target, text)->type_name(type)->capture_default_str();
        if constexpr (std::is_unsigned_v<std::decay_t<decltype(target)>>) option->check(cl::wholeNumber());
        return option;
    };
    value("--data-dir", o.dht.dataDir, "DIR", "where the node keeps its identity and database");
    value("--http-address", o.proxy.httpAddress, "ADDR", "HTTP bind address");
    value("--http-port", o.proxy.httpPort, "PORT", "HTTP port, 0 for any free port");
    value("--https-port", o.proxy.https.port, "PORT",
          "also serve the HTTP API over TLS on this port when --tls-cert and --tls-key are given; 0 for any free "
          "port")
        ->default_str("8443");
    app.add_option("--https-address", o.proxy.https.address, "HTTPS bind address (default: the --http-address)")
        ->type_name("ADDR");
    value("--tls-cert", o.proxy.https.certFile, "FILE", "PEM certificate chain for HTTPS");
    value("--tls-key", o.proxy.https.keyFile, "FILE", "PEM private key of that certificate");
    value("--public-url", o.proxy.publicUrl, "URL",
          "base URL put in endpoints handed to app servers (default https://ADDR:HTTPS_PORT with HTTPS, else "
          "http://ADDR:PORT); set it behind a reverse proxy");
    value("--dht-address", o.dht.bindAddress, "ADDR", "UDP bind address of the DHT node");
    value("--dht-port", o.dht.port, "PORT", "UDP port of the DHT node, 0 for any free port");
    app.add_option("--bootstrap", o.dht.bootstrap, "a DHT node to join through; repeat for several")
        ->type_name("HOST:PORT")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    value("--network", p.network, "ID",
          "DHT network id, decimal or 0x-hex (a private network by default); nodes only talk to nodes of the "
          "same id");
    value("--inbox-keys", p.inboxKeys, "SCHEME",
          "where inboxes' messages go in the DHT: lanes (16 keys an inbox), wide (64: for busy inboxes), single "
          "(1: fewer listens) or slotted (16 keys, each value tagged with its minute and listened to for three "
          "minutes: for busy inboxes); every node of a network must use the same, nodes of another scheme are "
          "another network");
    app.add_flag("--public", p.publicNetwork,
                 "join the public OpenDHT network (network 0, bootstrap " + std::string(PUBLIC_BOOTSTRAP) +
                     ") instead of a private one");
    value("--probe-interval", p.probeInterval, "SEC",
          "every this often the node puts a small value at a random DHT key and reports in /health and "
          "/metrics whether another node took it (a node cut off from the network says so); 0: no probes");
    value("--announce-interval", p.announceInterval, "SEC",
          "every this often the node puts its entry (public URL, load), signed with its identity, in the DHT's "
          "proxy directory, where devices find proxies (GET /v1/proxies); withdrawn at a clean stop; 0: not "
          "offered (nor with --invite-secret-file)")
        ->check(cl::within(0, 300));
    value("--value-expiration", p.valueExpiration, "SEC", "how long DHT nodes keep a notification envelope")
        ->check(cl::within(1, 1e9));
    value("--dht-storage-mib", p.dhtStorageMib, "N",
          "memory this node's DHT storage may take for push values, each counted with OpenDHT's bookkeeping (1 "
          "to " + std::to_string(MAX_DHT_STORAGE_MIB) + "); past it, values are not stored here and a POST here "
          "gets 503")
        ->check(cl::within(1, MAX_DHT_STORAGE_MIB));
    value("--dht-values-per-key", o.dht.storage.maxValuesPerKey, "N",
          "push values stored at one DHT key (at most " + std::to_string(MAX_VALUES_PER_KEY) + ", OpenDHT's own bound)")
        ->check(cl::within(1, MAX_VALUES_PER_KEY));
    value("--max-ttl", o.proxy.maxTtlSeconds, "SEC",
          "the longest TTL honoured for a message (at most " + std::to_string(node::MAX_TTL_SECONDS) +
              ", 28 days: other nodes refuse envelopes with a longer one)")
        ->check(cl::within(0, node::MAX_TTL_SECONDS));
    value("--max-clock-skew", p.maxClockSkew, "SEC",
          "how far ahead of this node's clock an envelope from the DHT may say it was created; further ones are "
          "refused");
    value("--mailbox-size", o.proxy.mailboxMessages, "N", "undelivered messages kept per device");
    value("--mailbox-bytes", o.proxy.mailboxBytes, "N", "bytes of undelivered messages kept per device");
    value("--subscription-messages", o.proxy.subscriptionMessages, "N", "undelivered messages kept per subscription");
    value("--subscription-bytes", o.proxy.subscriptionBytes, "N", "bytes of undelivered messages kept per subscription");
    value("--held-mib", p.heldMib, "N",
          "MiB of messages from the DHT that full mailboxes refused, held in memory until their devices ack (each "
          "device at most a quarter); past it they are fetched from the DHT again. 0: none held")
        ->check(cl::within(0, 4096));
    value("--inboxes", o.proxy.inboxes, "N",
          "inboxes (shared DHT keys) new subscriptions are spread over, at most " + std::to_string(MAX_INBOXES) +
              "; 0 gives each new subscription a key of its own")
        ->check(cl::within(0, MAX_INBOXES));
    value("--max-publish-keys", o.proxy.maxPublishKeys, "N",
          "distinct DHT keys that POSTs to this node may reach within an hour; past it a POST to a new key gets "
          "503. 0: no limit");
    value("--keep-alive", p.keepAlive, "SEC", "event-stream keep-alive interval")->check(cl::within(1, 1e9));
    value("--log-level", p.logLevel, "LEVEL",
          "trace, debug, info, warning, error or off: what goes to stderr, one event per line (journald takes it)")
        ->check([](const std::string& text) {
            auto level = log::parseLevel(text);
            return level ? std::string() : level.error().detail;
        });
    value("--connections-per-ip", o.proxy.connectionsPerAddress, "N",
          "open connections from one address (an IPv6 /64 counts as one), over both listeners; 127.0.0.1 and "
          "::1 are not counted; 0: no limit");
    value("--tls-handshake-timeout", p.tlsHandshakeTimeout, "SEC", "a TLS handshake must finish within this")
        ->check(cl::within(1, 1e9));
    value("--max-devices", o.proxy.maxDevices, "N", "devices this proxy holds; past it attaching gets 507");
    value("--max-subscriptions", o.proxy.maxSubscriptions, "N", "subscriptions this proxy holds");
    value("--max-listens", o.proxy.maxListens, "N", "DHT listens for tokens devices bring themselves");
    value("--max-streams-per-device", o.proxy.maxStreamsPerDevice, "N",
          "event streams one device holds; a new one ends the oldest")
        ->check(cl::within(1, 1e9));
    value("--invite-secret-file", p.o.inviteSecretFile, "FILE",
          "a closed proxy: attaching needs 'Authorization: Bearer <the file's first line>'");
    const auto rate = [&](const char* name, double& target, const char* text) {
        value(name, target, "N", std::string(text) + "; 0: no limit")->check(cl::within(0, 1e12));
    };
    rate("--attach-rate", o.proxy.rates.attachesPerMinute, "devices attached per minute from one address");
    rate("--subscribe-rate", o.proxy.rates.subscribesPerMinute, "subscriptions made per minute from one address");
    rate("--post-rate-per-ip", o.proxy.rates.postsPerSecond, "messages per second from one address");
    rate("--post-rate-per-subscription", o.proxy.rates.postsPerSubscription, "messages per second to one subscription");
    rate("--post-rate-per-vapid-key", o.proxy.rates.postsPerVapidKey,
         "messages per second signed by one application server key");
    rate("--max-publish-keys-per-ip", o.proxy.rates.newPublishKeysPerHour, "new DHT keys one address may send to per hour");
    rate("--stream-rate", o.proxy.rates.streamOpensPerMinute,
         "event streams one device may open per minute, bursts of twice that");
    app.add_flag("--local-network", o.dht.unlimitedRate, "lift OpenDHT's per-IP rate limits (many nodes on one machine)");
    app.add_option("--config", p.configFile,
                   "read options from a TOML file, one key per option, shown as [config: KEY] here (http_port = "
                   "8080, bootstrap = [\"host:4222\"], local_network = true); options given here override it. "
                   "An example with every key: docs/dhtpush-node.toml")
        ->type_name("FILE");
    app.add_flag("--check-config", o.checkConfig,
                 "check the options (and file), print the effective configuration as a configuration file, and exit");
    app.add_flag("-h,--help", o.help, "show this text");
    app.add_flag("--version", o.version, "show the version");
}

constexpr const char* USAGE_FOOTER = R"(
Requests from 127.0.0.1 and ::1 are not limited per address (put the limits of a reverse proxy
in front of it). Without --bootstrap (and without --public) the node is a standalone
network of its own. SIGINT or SIGTERM shut it down cleanly; SIGHUP reloads the TLS certificate.
)";

}  // namespace

std::string nodeUsage() {
    CLI::App app{"A dhtpush node: an OpenDHT node plus the HTTP push service (device API, WebPush endpoint).",
                 "dhtpush-node"};
    auto p = defaults();
    describeOptions(app, p);
    return app.help() + USAGE_FOOTER;
}

namespace {

Expected<NodeOptions> parseArgs(const std::vector<std::string>& args) {
    CLI::App app{"", "dhtpush-node"};
    auto p = defaults();
    describeOptions(app, p);
    if (auto parsed = cl::parse(app, args); !parsed) return parsed.error();
    auto& o = p.o;
    const bool networkGiven = app.count("--network") > 0, httpsPortGiven = app.count("--https-port") > 0,
               httpsAddressGiven = app.count("--https-address") > 0;
    auto network = node::parseNetworkId(p.network);
    if (!network) return usageError("--network: " + network.error().detail);
    o.dht.networkId = *network;
    auto inboxKeys = node::parseInboxKeyScheme(p.inboxKeys);
    if (!inboxKeys) return usageError("--inbox-keys: '" + p.inboxKeys + "' is none of " + node::inboxKeySchemeNames());
    o.dht.inboxKeys = *inboxKeys;
    o.logLevel = *log::parseLevel(p.logLevel);  // checked while parsing
    o.dht.storage.maxBytes = p.dhtStorageMib << 20;
    o.proxy.heldBytes = p.heldMib << 20;
    o.dht.valueExpiration = std::chrono::seconds(p.valueExpiration);
    o.proxy.keepAlive = std::chrono::seconds(p.keepAlive);
    o.dht.probeInterval = std::chrono::seconds(p.probeInterval);
    o.proxy.announceInterval = std::chrono::seconds(p.announceInterval);
    o.proxy.maxClockSkew = std::chrono::seconds(p.maxClockSkew);
    o.proxy.tlsHandshakeTimeout = std::chrono::seconds(p.tlsHandshakeTimeout);
    if (!o.inviteSecretFile.empty()) {
        auto invite = readFirstLine(o.inviteSecretFile);
        if (!invite) return invite.error();
        o.proxy.inviteSecret = *invite;
    }
    if (o.proxy.https.certFile.empty() != o.proxy.https.keyFile.empty())
        return usageError("HTTPS needs both --tls-cert and --tls-key");
    if ((httpsPortGiven || httpsAddressGiven) && !o.proxy.https.enabled())
        return usageError("--https-port and --https-address need --tls-cert and --tls-key");
    if (o.proxy.https.enabled() && !httpsPortGiven) o.proxy.https.port = 8443;
    if (!httpsAddressGiven) o.proxy.https.address = o.proxy.httpAddress;
    if (p.publicNetwork) {
        if (networkGiven && o.dht.networkId != 0) return usageError("--public and --network contradict each other");
        if (o.dht.inboxKeys != node::InboxKeyScheme::Lanes)
            return usageError("--public and --inbox-keys contradict each other: the public network's scheme is lanes");
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
        const bool joined = given[i].rfind("--config=", 0) == 0;
        if (given[i] == "--config" || joined) {
            if (!joined && i + 1 >= given.size()) return usageError("--config needs a value");
            file = joined ? given[i].substr(9) : given[++i];
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
