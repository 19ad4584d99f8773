#include "cli.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "cli_commands.h"
#include "cli_crypto.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/client/device_state.h"

namespace dhtpush::client {
namespace {

constexpr const char* USAGE = R"(Usage: dhtpush COMMAND [options]

Commands:
  subscribe --proxy URL [--proxy URL2 ...]
                              attach this device to the proxies (first time) and create a
                              subscription watched by all of them (failover); prints it as
                              PushSubscription JSON, with the first proxy's endpoint
       [--vapid-key KEY]      bind an application server key: only messages signed with it
                              (VAPID, RFC 8292) are accepted
  unsubscribe TOKEN           remove a subscription
  listen [--count N]          print this device's messages from all its proxies, one JSON
                              object per line, each once, decrypted into "text";
                              acknowledges what it printed (stops after N messages with --count)
  send ENDPOINT MESSAGE       post MESSAGE to a WebPush endpoint
       [--ttl SEC] [--urgency very-low|low|normal|high] [--topic TOPIC]
       [--p256dh KEY --auth SECRET]
                              encrypt for the subscription (RFC 8291, aes128gcm)
       [--subscription FILE]  the same with the keys (and, when ENDPOINT is left out, the
                              endpoint) of a PushSubscription JSON file
       [--vapid FILE --subject mailto:ADDRESS]
                              sign with the VAPID keys in FILE (RFC 8292)
  vapid keygen [--out FILE]   make a VAPID key pair {"publicKey","privateKey"}; with --out,
                              write it to FILE (mode 0600) and print the public key
  apps                        the apps registered with this user's dhtpush-distributor:
                              interface version, waiting messages, endpoint, description
  apps remove SERVICE         remove an app's registrations (the app is told)

Options for every command:
  --cacert FILE               trust the CA certificates in FILE (PEM) for https:// URLs
                              instead of the system's (e.g. a node's self-signed certificate)
  --state FILE                device state file (default $DHTPUSH_STATE, else
                              $XDG_CONFIG_HOME/dhtpush/device.json or ~/.config/dhtpush/device.json)
  --help                      show this text
)";

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
    std::cerr << "dhtpush: " << message << "\n(see dhtpush --help)\n";
    return 2;
}

}  // namespace

int runCli(const std::vector<std::string>& args, const std::atomic<bool>& stop) {
    if (args.empty()) return usage("a command is required");
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;
    std::vector<std::string> proxies;  // --proxy may be repeated
    const std::map<std::string, bool> known = {{"--proxy", true},   {"--state", true}, {"--count", true},
                                               {"--ttl", true},     {"--urgency", true}, {"--topic", true},
                                               {"--p256dh", true},  {"--auth", true},    {"--subscription", true},
                                               {"--vapid", true},   {"--subject", true}, {"--vapid-key", true},
                                               {"--cacert", true},  {"--out", true},     {"--help", false}};
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg.rfind("--", 0) != 0) {
            positional.push_back(arg);
            continue;
        }
        auto it = known.find(arg);
        if (it == known.end()) return usage("unknown option '" + arg + "'");
        if (!it->second) {
            options[arg] = "";
            continue;
        }
        if (i + 1 >= args.size()) return usage(arg + " needs a value");
        options[arg] = args[++i];
        if (arg == "--proxy") proxies.push_back(options[arg]);
    }
    if (options.count("--help") || (!positional.empty() && positional.front() == "help")) {
        std::cout << USAGE;
        return 0;
    }
    if (positional.empty()) return usage("a command is required");
    // The device service's commands are the distributor's own (it speaks D-Bus; this does not).
    if (positional.front() == "apps") return runDistributorApps(std::vector<std::string>(positional.begin() + 1, positional.end()));
    const std::string state = options.count("--state") ? options["--state"] : defaultStatePath();
    if (options.count("--cacert")) setDefaultCaFile(options["--cacert"]);
    const auto& command = positional.front();
    auto number = [&](const char* name, std::uint32_t fallback) -> std::optional<std::uint32_t> {
        if (!options.count(name)) return fallback;
        const auto& text = options[name];
        std::uint32_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
        return value;
    };
    if (command == "subscribe") {
        if (proxies.empty()) return usage("subscribe needs --proxy URL");
        return subscribeCommand(state, proxies, options["--vapid-key"]);
    }
    if (command == "unsubscribe") {
        if (positional.size() != 2) return usage("unsubscribe takes one TOKEN");
        return unsubscribeCommand(state, positional[1]);
    }
    if (command == "listen") {
        auto count = number("--count", 0);
        if (!count) return usage("--count must be a number");
        return listenCommand(state, *count, stop);
    }
    if (command == "vapid") {
        if (positional.size() != 2 || positional[1] != "keygen") return usage("vapid takes the subcommand keygen");
        return vapidKeygenCommand(options["--out"]);
    }
    if (command == "send") {
        const bool fromFile = options.count("--subscription") && positional.size() == 2;
        if (positional.size() != 3 && !fromFile)
            return usage("send takes ENDPOINT and MESSAGE (or MESSAGE alone with --subscription FILE)");
        auto ttl = number("--ttl", 2419200);
        if (!ttl) return usage("--ttl must be a number of seconds");
        PushOptions push;
        push.ttlSeconds = *ttl;
        push.urgency = options["--urgency"];
        push.topic = options["--topic"];
        std::string endpoint = fromFile ? "" : positional[1];
        if (auto crypto = applyPushCryptoOptions(options, endpoint, push); !crypto) return usage(crypto.error().detail);
        return sendCommand(endpoint, positional.back(), push);
    }
    return usage("unknown command '" + command + "'");
}

}  // namespace dhtpush::client
