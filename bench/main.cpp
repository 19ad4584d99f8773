// dhtpush-bench: the measurements behind scripts/bench. Each mode prints a JSON document.
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "dhtpush/node/json.h"
#include "latency.h"
#include "processes.h"
#include "report.h"
#include "soak.h"
#include "soak_report.h"
#include "app_hop.h"
#include "seed_store.h"
#include "idle_connections.h"
#include "under_attack.h"

#include <opendht/infohash.h>

#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/token.h"

namespace {

std::map<std::string, std::string> parseOptions(const std::vector<std::string>& args) {
    std::map<std::string, std::string> options;
    for (std::size_t i = 0; i + 1 < args.size(); i += 2) options[args[i]] = args[i + 1];
    return options;
}

std::size_t number(const std::map<std::string, std::string>& o, const std::string& name, std::size_t fallback) {
    auto it = o.find(name);
    return it == o.end() ? fallback : std::stoul(it->second);
}

int usage() {
    std::cerr << "usage: dhtpush-bench latency [--nodes N] [--samples S] [--settle-ms M] [--json FILE] [--cdf FILE]\n"
                 "              [--bootstrap HOST:PORT --dht-network ID [--bind ADDRESS] --receiver URL --sender URL\n"
                 "               [--listener-netns /run/netns/NAME --listener-bind ADDRESS]\n"
                 "               --stock-receiver URL --stock-sender URL [--delay-ms D --loss-permille L]]\n"
                 "              (nodes running elsewhere; D and L are recorded as the network's)\n"
                 "       dhtpush-bench network [--nodes N]\n"
                 "       dhtpush-bench seed --data-dir D --devices C --subscriptions K --device-file F   (bench/seed_store.h)\n"
                 "       dhtpush-bench deliver --proxy URL --device-file F [--samples N] [--json FILE]\n"
                 "       dhtpush-bench load --proxy URL   (commands on stdin, see bench/processes.h)\n"
                 "       dhtpush-bench attack --kind none|forged|flood|idle-tls|reconnect [--samples S] [--rounds R] [--probes P] [--connections C]\n"
                 "       dhtpush-bench app-hop [--samples S]   (on the session bus of DBUS_SESSION_BUS_ADDRESS)\n"
                 "              [--storm-devices D] [--storm-backlog B] [--json FILE]\n"
                 "       dhtpush-bench soak --kind dhtpush|stock [--label NAME] --receiver URL --sender URL [--receiver-pid P]\n"
                 "                          [--sender-pid P] [--rate R] [--seconds S] [--bucket-seconds B] [--json FILE]\n"
                 "                          [--device-away-after S --device-away-for S] [--drain-seconds S]\n";
    return 2;
}

void emit(const Json::Value& result, const std::map<std::string, std::string>& options) {
    const auto text = dhtpush::node::writeJson(result);
    std::cout << text << std::endl;
    if (auto it = options.find("--json"); it != options.end()) std::ofstream(it->second) << text << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace dhtpush::bench;
    if (argc < 2) return usage();
    const std::string mode = argv[1];
    const auto options = parseOptions(std::vector<std::string>(argv + 2, argv + argc));
    try {
        if (mode == "latency") {
            LatencyRun run;
            run.nodes = number(options, "--nodes", 10);
            run.samples = number(options, "--samples", 500);
            run.settle = std::chrono::milliseconds(number(options, "--settle-ms", 2));
            if (options.count("--bootstrap")) {
                LatencyNodes nodes;
                nodes.bootstrap = options.at("--bootstrap");
                nodes.dhtNetwork = static_cast<std::uint32_t>(number(options, "--dht-network", 0));
                if (options.count("--bind")) nodes.bindAddress = options.at("--bind");
                if (options.count("--listener-netns")) {
                    nodes.listenerNetns = options.at("--listener-netns");
                    nodes.listenerBindAddress = options.at("--listener-bind");
                }
                nodes.receiver = options.at("--receiver");
                nodes.sender = options.at("--sender");
                nodes.stockReceiver = options.at("--stock-receiver");
                nodes.stockSender = options.at("--stock-sender");
                run.remote = nodes;
            }
            const auto result = runLatency(run);
            auto json = latencyJson(run, result);
            // The network's, as the caller made it (bench/netns_latency.sh): for the report.
            if (options.count("--delay-ms")) json["one_way_delay_ms"] = Json::UInt64(number(options, "--delay-ms", 0));
            if (options.count("--loss-permille"))
                json["udp_loss_permille"] = Json::UInt64(number(options, "--loss-permille", 0));
            emit(json, options);
            if (auto cdf = options.find("--cdf"); cdf != options.end()) writeCdf(cdf->second, result);
            return 0;
        }
        if (mode == "network") return runNetwork(options);
        if (mode == "seed") return runSeed(options);
        if (mode == "deliver") {
            // The device seed wrote (its secret stays off the command line).
            std::ifstream in(options.at("--device-file"));
            const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            const auto device = dhtpush::node::parseJson(text);
            if (!device || !(*device)["id"].isString() || !(*device)["secret"].isString() ||
                !(*device)["token"].isString())
                throw std::runtime_error("--device-file: not a device seed wrote");
            const dhtpush::client::ProxyAccount account{options.at("--proxy"), (*device)["id"].asString(),
                                                         (*device)["secret"].asString()};
            const auto result = sampleDelivery(account, account.url + "/wp/" + (*device)["token"].asString(),
                                               number(options, "--samples", 200));
            Json::Value v(Json::objectValue);
            v["delivery_ms"] = toJson(summarize(result.ms));
            v["lost"] = Json::UInt64(result.lost);
            v["refused"] = Json::UInt64(result.refused);
            emit(v, options);
            return 0;
        }
        if (mode == "idle-connections") return runIdleConnections(options);
        if (mode == "app-hop") {
            AppHopRun run;
            run.samples = number(options, "--samples", 300);
            emit(runAppHop(run), options);
            return 0;
        }
        if (mode == "paths") {
            // Request paths for the ingress load: endpoints of subscriptions in --inboxes inboxes
            // (dhtpush, the default tokens; 16: one proxy's), version-1 tokens with a key each
            // (dhtpush-v1), or keys (stock).
            const auto kind = options.count("--kind") ? options.at("--kind") : std::string("dhtpush");
            std::vector<dhtpush::crypto::Bytes> inboxes;
            for (std::size_t i = 0, n = number(options, "--inboxes", 16); i < n; ++i)
                inboxes.push_back(dhtpush::crypto::randomBytes(dhtpush::crypto::INBOX_ID_BYTES));
            for (std::size_t i = 0; i < number(options, "--count", 1000); ++i) {
                if (kind == "stock") std::cout << "/key/" + dht::InfoHash::getRandom().toString() << "\n";
                else if (kind == "dhtpush-v1") std::cout << "/wp/" + dhtpush::crypto::SubscriptionToken::generate().text() << "\n";
                else
                    std::cout << "/wp/" + dhtpush::crypto::SubscriptionToken::generateInInbox(inboxes[i % inboxes.size()])->text()
                              << "\n";
            }
            return 0;
        }
        if (mode == "free-port") {
            std::cout << freeTcpPort() << std::endl;
            return 0;
        }
        if (mode == "report") return writeReport(options);
        if (mode == "attack") {
            AttackRun run;
            if (options.count("--kind")) run.kind = options.at("--kind");
            run.samples = number(options, "--samples", 300);
            run.rounds = number(options, "--rounds", 4);
            run.probes = number(options, "--probes", 200);
            run.idleConnections = number(options, "--connections", 10000);
            run.stormDevices = number(options, "--storm-devices", 200);
            run.stormBacklog = number(options, "--storm-backlog", 100);
            emit(runUnderAttack(run), options);
            return 0;
        }
        if (mode == "load") return runLoad(options);
        if (mode == "soak") {
            SoakRun run;
            if (options.count("--kind")) run.kind = options.at("--kind");
            if (options.count("--label")) run.label = options.at("--label");
            run.receiverUrl = options.at("--receiver");
            run.senderUrl = options.at("--sender");
            run.receiverPid = static_cast<int>(number(options, "--receiver-pid", 0));
            run.senderPid = static_cast<int>(number(options, "--sender-pid", 0));
            run.rate = static_cast<double>(number(options, "--rate", 1000));
            run.duration = std::chrono::seconds(number(options, "--seconds", 120));
            run.bucket = std::chrono::seconds(number(options, "--bucket-seconds", 60));
            run.awayAfter = std::chrono::seconds(number(options, "--device-away-after", 0));
            run.awayFor = std::chrono::seconds(number(options, "--device-away-for", 0));
            run.drain = std::chrono::seconds(number(options, "--drain-seconds", 60));
            if (run.awayFor.count() > 0 && run.kind != "dhtpush") throw std::runtime_error("--device-away-for: dhtpush only");
            const auto result = runSoak(run);
            emit(result, options);
            if (auto dat = options.find("--dat"); dat != options.end()) writeSoakCurves(dat->second, result);
            return 0;
        }
    } catch (const std::exception& ex) {
        std::cerr << "dhtpush-bench: " << ex.what() << "\n";
        return 1;
    }
    return usage();
}
