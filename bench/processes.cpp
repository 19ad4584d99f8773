#include "processes.h"

#include <opendht/infohash.h>

#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/node/json.h"
#include "local_dht_network.h"
#include "stream_clients.h"

namespace dhtpush::bench {
namespace {

std::uint16_t portOf(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool waitEstablished(const StreamClients& streams) {
    return test::waitUntil([&] { return streams.established() + streams.failed() >= streams.opened(); },
                           std::chrono::seconds(120));
}

}  // namespace

int runNetwork(const std::map<std::string, std::string>& options) {
    const auto nodes = options.count("--nodes") ? std::stoul(options.at("--nodes")) : 10;
    const auto scheme = node::parseInboxKeyScheme(options.count("--inbox-keys") ? options.at("--inbox-keys") : "lanes");
    if (!scheme) throw std::runtime_error("--inbox-keys: none of " + node::inboxKeySchemeNames());
    test::LocalDhtNetwork network(nodes, std::chrono::minutes(10), *scheme);
    Json::Value out(Json::objectValue);
    out["bootstrap"] = network.bootstrapAddress();
    out["network"] = network.networkId();
    out["nodes"] = Json::UInt64(nodes);
    std::cout << node::writeJson(out) << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
}

int runLoad(const std::map<std::string, std::string>& options) {
    raiseFileLimit();
    const auto url = options.at("--proxy");
    const auto port = portOf(url);
    StreamClients streams;
    std::vector<client::ProxyAccount> devices;
    std::size_t nextDevice = 0;
    std::string command;
    std::size_t count = 0;
    while (std::cin >> command >> count) {
        const auto start = std::chrono::steady_clock::now();
        Json::Value out(Json::objectValue);
        out["command"] = command;
        out["count"] = Json::UInt64(count);
        std::size_t failures = 0;
        if (command == "devices") {
            for (std::size_t i = 0; i < count; ++i) {
                auto account = client::attachDevice(url);
                if (!account) {
                    ++failures;
                    continue;
                }
                devices.push_back(*account);
                streams.open(port, "/v1/devices/" + account->deviceId + "/events",
                             "Authorization: Bearer " + account->secret + "\r\nAccept: text/event-stream\r\n");
            }
            waitEstablished(streams);
        } else if (command == "subscriptions") {
            for (std::size_t i = 0; i < count && !devices.empty(); ++i) {
                if (!client::addSubscription(devices[nextDevice++ % devices.size()], "")) ++failures;
            }
        } else if (command == "listeners") {
            for (std::size_t i = 0; i < count; ++i)
                streams.open(port, "/key/" + dht::InfoHash::getRandom().toString() + "/listen", "");
            waitEstablished(streams);
        } else {
            std::cerr << "load: unknown command " << command << "\n";
            return 2;
        }
        out["failures"] = Json::UInt64(failures);
        out["streams_established"] = Json::UInt64(streams.established());
        out["streams_failed"] = Json::UInt64(streams.failed());
        out["seconds"] = secondsSince(start);
        std::cout << node::writeJson(out) << std::endl;
    }
    return 0;
}

}  // namespace dhtpush::bench
