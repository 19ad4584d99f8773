#include "local_dht_network.h"

#include <opendht/dhtrunner.h>

#include <random>
#include <stdexcept>

#include "await.h"

namespace dhtpush::test {

LocalDhtNetwork::LocalDhtNetwork(std::size_t nodeCount, std::chrono::seconds valueExpiration,
                                 node::InboxKeyScheme inboxKeys)
    : networkId_(0x7e570000u | (std::random_device{}() & 0xffffu)),
      valueExpiration_(valueExpiration),
      inboxKeys_(inboxKeys) {
    for (std::size_t i = 0; i < nodeCount; ++i) {
        auto config = i == 0 ? node::DhtNodeConfig{} : joinConfig();
        config.bindAddress = "127.0.0.1";
        config.networkId = networkId_;
        config.unlimitedRate = true;
        config.valueExpiration = valueExpiration_;
        config.inboxKeys = inboxKeys_;
        auto node = node::DhtNode::start(config);
        if (!node) throw std::runtime_error("cannot start a DHT node: " + node.error().detail);
        nodes_.push_back(std::move(*node));
    }
    // Every joining node must see at least one good peer before the network is used.
    for (std::size_t i = 1; i < nodes_.size(); ++i)
        if (!waitUntil([&] { return nodes_[i]->connected(); }))
            throw std::runtime_error("DHT node " + std::to_string(i) + " did not connect");
}

LocalDhtNetwork::~LocalDhtNetwork() {
    for (auto& n : nodes_) n->shutdown();
}

std::string LocalDhtNetwork::bootstrapAddress() const { return "127.0.0.1:" + std::to_string(nodes_.front()->port()); }

node::DhtNodeConfig LocalDhtNetwork::joinConfig() const {
    node::DhtNodeConfig config;
    config.bindAddress = "127.0.0.1";
    config.port = 0;
    config.networkId = networkId_;
    config.unlimitedRate = true;
    config.bootstrap = {bootstrapAddress()};
    config.valueExpiration = valueExpiration_;
    config.inboxKeys = inboxKeys_;
    return config;
}

std::unique_ptr<node::DhtNode> LocalDhtNetwork::join() const {
    auto node = node::DhtNode::start(joinConfig());
    if (!node) throw std::runtime_error("cannot start a DHT node: " + node.error().detail);
    auto& n = **node;
    if (!waitUntil([&] { return n.connected(); })) throw std::runtime_error("joining DHT node did not connect");
    return std::move(*node);
}

std::shared_ptr<dht::DhtRunner> bareRunnerJoining(const std::string& bootstrap, std::uint32_t dhtNetwork,
                                                  const std::string& bindAddress) {
    auto runner = std::make_shared<dht::DhtRunner>();
    dht::DhtRunner::Config config;
    config.dht_config.node_config.network = dhtNetwork;
    config.dht_config.node_config.max_req_per_sec = -1;
    config.dht_config.node_config.max_peer_req_per_sec = -1;
    config.bind4 = dht::SockAddr::resolve(bindAddress, "0").front();
    runner->run(config, {});
    const auto colon = bootstrap.rfind(':');
    runner->bootstrap(bootstrap.substr(0, colon), bootstrap.substr(colon + 1));
    if (!waitUntil([&] { return runner->getNodesStats(AF_INET).good_nodes > 0; }))
        throw std::runtime_error("bare DHT runner did not connect through " + bootstrap);
    return runner;
}

std::shared_ptr<dht::DhtRunner> bareRunner(const LocalDhtNetwork& network) {
    return bareRunnerJoining(network.bootstrapAddress(), node::dhtNetworkId(network.networkId(), network.inboxKeys()),
                             "127.0.0.1");
}

}  // namespace dhtpush::test
