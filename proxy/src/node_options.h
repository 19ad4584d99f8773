#pragma once
// Command line of dhtpush-node, parsed without side effects.
#include <string>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/dht_node.h"
#include "dhtpush/node/log.h"
#include "dhtpush/proxy/server.h"

namespace dhtpush::proxy {

struct NodeOptions {
    node::DhtNodeConfig dht;
    ProxyConfig proxy;
    bool help{false};
    bool version{false};
    log::Level logLevel{log::Level::info};  // --log-level
    bool checkConfig{false};                // --check-config: print the effective configuration
    std::string inviteSecretFile;           // where proxy.inviteSecret came from
};

// `--config FILE` (node_config_file.h) adds the options of a configuration file before the
// others, which override them.
// Defaults: data in ./.dhtpush/node, HTTP on 127.0.0.1:8080, DHT on UDP 4222, the
// private network DEFAULT_NETWORK_ID with no bootstrap (a standalone network).
Expected<NodeOptions> parseNodeOptions(const std::vector<std::string>& args);
std::string nodeUsage();

}  // namespace dhtpush::proxy
