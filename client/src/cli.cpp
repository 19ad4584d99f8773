#include "cli.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "cli_commands.h"
#include "dht_send.h"
#include "cli_crypto.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/client/device_state.h"
#include "dhtpush/node/command_line.h"
#include "dhtpush/node/dht_node.h"
#include "dhtpush/node/host_port.h"

namespace dhtpush::client {
namespace {

// Runs `dhtpush-distributor apps ARGS`: the one beside this binary (installed), the one of the
// build tree (build/*/device/), or the first on PATH.
int runDistributorApps(const std::vector<std::string>& args) {
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error).parent_path();
    std::string program = "dhtpush-distributor";
    for (const auto& candidate : {self / "dhtpush-distributor", self / ".." / "device" / "dhtpush-distributor"})
        if (::access(candidate.c_str(), X_OK) == 0) {
            program = candidate.string();
            break;
        }
    std::vector<std::string> words{program, "apps"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::cerr << "dhtpush: cannot run " << program << " (is dhtpush-distributor installed?)\n";
    return 1;
}

int usage(const std::string& message) {
    std::cerr << "dhtpush: " << message << "\n";
    return 2;
}

namespace cl = node::command_line;

// Everything the command line can say, filled in by CLI11.
struct CliValues {
    std::string state;
    std::string cacert;
    std::vector<std::string> proxies;
    std::vector<std::string> discover;
    std::uint32_t proxyCount{2};
    std::uint32_t healAfter{300};
    std::string vapidKey;
    std::string token;
    std::uint32_t count{0};
    std::vector<std::string> sendWords;  // ENDPOINT MESSAGE, or MESSAGE alone with --subscription
    std::uint32_t ttl{2419200};
    std::string urgency, topic;
    std::map<std::string, std::string> crypto;  // --p256dh, --auth, --subscription, --vapid, --subject
    std::string out;
    std::string dht;  // send --dht HOST:PORT: through the DHT, without HTTP
    std::string network;
    std::string inboxKeys;  // send --dht --inbox-keys
    bool help{false};
};

// What a command needs is checked after parsing, so that `dhtpush COMMAND --help` is help.
void describeCommands(CLI::App& app, CliValues& v) {
    app.set_help_flag();
    app.formatter(cl::plainHelp());
    app.require_subcommand(0, 1);
    // Options of every command may come before or after it.
    app.fallthrough();
    app.add_flag("-h,--help", v.help, "show this text (every command and option)");
    app.add_option("--state", v.state,
                   "device state file (default $DHTPUSH_STATE, else $XDG_CONFIG_HOME/dhtpush/device.json or "
                   "~/.config/dhtpush/device.json)")
        ->type_name("FILE");
    app.add_option("--cacert", v.cacert,
                   "trust the CA certificates in FILE (PEM) for https:// URLs instead of the system's (e.g. a "
                   "node's self-signed certificate)")
        ->type_name("FILE");

    auto* subscribe = app.add_subcommand(
        "subscribe",
        "attach this device to the proxies (first time) and create a subscription watched by all of them "
        "(failover); prints it as PushSubscription JSON, with the first proxy's endpoint");
    subscribe->add_option("--proxy", v.proxies, "a proxy's URL; repeat for several")
        ->type_name("URL")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    subscribe->add_option("--discover", v.discover,
                          "instead of --proxy: ask this node's proxy directory (GET /v1/proxies) and subscribe at "
                          "the best healthy proxies it lists; repeat for several nodes")
        ->type_name("URL")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    subscribe->add_option("--proxies", v.proxyCount, "with --discover: how many proxies watch the subscription")
        ->type_name("N")
        ->capture_default_str()
        ->check(cl::within(1, 8));
    subscribe->add_option("--vapid-key", v.vapidKey,
                          "bind an application server key: only messages signed with it (VAPID, RFC 8292) are "
                          "accepted")
        ->type_name("KEY");

    auto* unsubscribe = app.add_subcommand("unsubscribe", "remove a subscription");
    unsubscribe->add_option("TOKEN", v.token, "the subscription's token")->type_name("");

    auto* listen = app.add_subcommand(
        "listen",
        "print this device's messages from all its proxies, one JSON object per line, each once, decrypted into "
        "\"text\"; acknowledges what it printed");
    listen->add_option("--count", v.count, "stop after N messages; 0: until stopped")
        ->type_name("N")
        ->capture_default_str()
        ->check(cl::wholeNumber());
    listen->add_option("--heal-after", v.healAfter,
                       "replace a proxy unreachable this long by a fresh one from the proxy directory (its "
                       "subscriptions move; a changed endpoint is printed as a {\"event\":\"new-endpoint\"} line) "
                       "and, once it answers again and has sent nothing this long, leave it; 0: never")
        ->type_name("SEC")
        ->capture_default_str()
        ->check(cl::wholeNumber());

    auto* send = app.add_subcommand("send", "post MESSAGE to a WebPush endpoint");
    send->add_option("MESSAGE", v.sendWords, "ENDPOINT MESSAGE, or MESSAGE alone with --subscription FILE")
        ->type_name("")
        ->expected(1, 2);
    send->add_option("--ttl", v.ttl, "how long the message may wait for the device")
        ->type_name("SEC")
        ->capture_default_str()
        ->check(cl::wholeNumber());
    send->add_option("--urgency", v.urgency, "very-low, low, normal or high (none sent by default: normal)")
        ->type_name("URGENCY")
        ->check(CLI::IsMember({"very-low", "low", "normal", "high"}).description(""));
    send->add_option("--topic", v.topic, "a newer message of the same topic replaces a waiting one")->type_name("TOPIC");
    const auto crypto = [&](const char* name, const char* type, const char* text) {
        send->add_option_function<std::string>(name, [&v, name](const std::string& value) { v.crypto[name] = value; },
                                               text)
            ->type_name(type);
    };
    crypto("--p256dh", "KEY", "the subscription's public key: encrypt for it (RFC 8291, aes128gcm); needs --auth");
    crypto("--auth", "SECRET", "the subscription's auth secret");
    crypto("--subscription", "FILE",
           "the keys (and, when ENDPOINT is left out, the endpoint) of a PushSubscription JSON file");
    crypto("--vapid", "FILE", "sign with the VAPID keys in FILE (RFC 8292); needs --subject");
    crypto("--subject", "mailto:ADDRESS", "the VAPID subject: how the push service can reach the sender");
    send->add_option("--dht", v.dht,
                     "no HTTP: join the DHT through this node, put the message where the subscription's proxies "
                     "watch, and end once a storing node took it")
        ->type_name("HOST:PORT");
    send->add_option("--network", v.network, "with --dht: the DHT network id, decimal or 0x-hex")
        ->type_name("ID")
        ->default_str("0x64687470");
    send->add_option("--inbox-keys", v.inboxKeys,
                     "with --dht: the network's inbox key scheme, as its nodes' --inbox-keys (" +
                         node::inboxKeySchemeNames() + ")")
        ->type_name("SCHEME")
        ->default_str("lanes");

    auto* vapid = app.add_subcommand("vapid", "application server keys (VAPID)");
    vapid->require_subcommand(1);
    vapid->add_subcommand("keygen", "make a VAPID key pair {\"publicKey\",\"privateKey\"}");
    // On `vapid`, not `keygen`, so that --help shows it (CLI11 expands one level); keygen's
    // options fall through to it.
    vapid->add_option("--out", v.out, "keygen: write the pair to FILE (mode 0600) and print the public key")
        ->type_name("FILE");

    auto* apps = app.add_subcommand(
        "apps",
        "the apps registered with this user's dhtpush-distributor (interface version, waiting messages, endpoint, "
        "description); 'apps remove SERVICE' removes an app's registrations (the app is told)");
    // Its words are the distributor's (runDistributorApps), options included.
    apps->prefix_command();
    apps->allow_extras();
    apps->fallthrough(false);
}

}  // namespace

int runCli(const std::vector<std::string>& args, const std::atomic<bool>& stop) {
    CLI::App app{"dhtpush: the device and app-server command line.", "dhtpush"};
    CliValues v;
    describeCommands(app, v);
    if (!args.empty() && args.front() == "help") {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return 0;
    }
    if (auto parsed = cl::parse(app, args); !parsed) return usage(parsed.error().detail);
    if (v.help) {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return 0;
    }
    const auto commands = app.get_subcommands();
    if (commands.empty()) return usage("a command is required (see --help)");
    const std::string command = commands.front()->get_name();
    // The device service's commands are the distributor's own (it speaks D-Bus; this does not).
    if (command == "apps") return runDistributorApps(app.get_subcommand("apps")->remaining());
    const std::string state = v.state.empty() ? defaultStatePath() : v.state;
    if (!v.cacert.empty()) setDefaultCaFile(v.cacert);
    if (command == "subscribe") {
        if (v.proxies.empty() && v.discover.empty()) return usage("subscribe needs --proxy URL or --discover URL");
        if (!v.proxies.empty() && !v.discover.empty()) return usage("subscribe takes --proxy or --discover, not both");
        return subscribeCommand(state, v.proxies, DiscoverOptions{v.discover, v.proxyCount}, v.vapidKey);
    }
    if (command == "unsubscribe") {
        if (v.token.empty()) return usage("unsubscribe takes one TOKEN");
        return unsubscribeCommand(state, v.token);
    }
    if (command == "listen") return listenCommand(state, v.count, std::chrono::seconds(v.healAfter), stop);
    if (command == "vapid") return vapidKeygenCommand(v.out);
    // send
    const bool fromFile = v.crypto.count("--subscription") && v.sendWords.size() == 1;
    if (v.sendWords.size() != 2 && !fromFile)
        return usage("send takes ENDPOINT and MESSAGE (or MESSAGE alone with --subscription FILE)");
    PushOptions push;
    push.ttlSeconds = v.ttl;
    push.urgency = v.urgency;
    push.topic = v.topic;
    std::string endpoint = fromFile ? "" : v.sendWords.front();
    if (auto crypto = applyPushCryptoOptions(v.crypto, endpoint, push); !crypto) return usage(crypto.error().detail);
    if (v.dht.empty()) {
        if (!v.network.empty()) return usage("--network goes with --dht");
        if (!v.inboxKeys.empty()) return usage("--inbox-keys goes with --dht");
        return sendCommand(endpoint, v.sendWords.back(), push);
    }
    DhtSendOptions dht;
    dht.bootstrap = v.dht;
    dht.network = node::DEFAULT_NETWORK_ID;
    if (!v.network.empty()) {
        auto network = node::parseNetworkId(v.network);
        if (!network) return usage("--network: " + network.error().detail);
        dht.network = *network;
    }
    if (!v.inboxKeys.empty()) {
        auto scheme = node::parseInboxKeyScheme(v.inboxKeys);
        if (!scheme) return usage("--inbox-keys: one of " + node::inboxKeySchemeNames() + ", not '" + v.inboxKeys + "'");
        dht.inboxKeys = *scheme;
    }
    if (!node::splitHostPort(v.dht)) return usage("--dht takes HOST:PORT, not '" + v.dht + "'");
    return sendThroughDhtCommand(dht, endpoint, v.sendWords.back(), push);
}

}  // namespace dhtpush::client
