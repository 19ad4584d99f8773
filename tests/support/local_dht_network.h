#pragma once
// A real OpenDHT network on loopback: N nodes on 127.0.0.1 with OS-chosen ports, a
// private network id of its own, rate limits off, all bootstrapped on node 0.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dhtpush/node/dht_node.h"

namespace dht {
class DhtRunner;
}

namespace dhtpush::test {

class LocalDhtNetwork {
public:
    // valueExpiration: how long the nodes keep push envelopes (the push value type);
    // inboxKeys: the nodes' inbox key scheme, which joining nodes must share.
    explicit LocalDhtNetwork(std::size_t nodeCount, std::chrono::seconds valueExpiration = std::chrono::minutes(10),
                             node::InboxKeyScheme inboxKeys = node::InboxKeyScheme::Lanes);
    ~LocalDhtNetwork();

    // A config for one more node of this network (port 0, bootstrapped on node 0).
    node::DhtNodeConfig joinConfig() const;
    // Starts one more node and waits (up to 10 s) until it is connected.
    std::unique_ptr<node::DhtNode> join() const;
    std::string bootstrapAddress() const;
    std::uint32_t networkId() const { return networkId_; }
    node::InboxKeyScheme inboxKeys() const { return inboxKeys_; }
    std::size_t size() const { return nodes_.size(); }

private:
    std::uint32_t networkId_;
    std::chrono::seconds valueExpiration_;
    node::InboxKeyScheme inboxKeys_;
    std::vector<std::unique_ptr<node::DhtNode>> nodes_;
};

// A bare OpenDHT runner on the network (rate limits off), connected within 10 s: what an
// application embedding OpenDHT runs, and a way for tests to read a key's raw values.
// Throws std::runtime_error when it does not connect.
std::shared_ptr<dht::DhtRunner> bareRunner(const LocalDhtNetwork& network);
// The same, bound to `bindAddress` and joined through `bootstrap` ("host:port") to the OpenDHT
// network `dhtNetwork` (node::dhtNetworkId): for nodes that run elsewhere, as in namespaces.
std::shared_ptr<dht::DhtRunner> bareRunnerJoining(const std::string& bootstrap, std::uint32_t dhtNetwork,
                                                  const std::string& bindAddress);

}  // namespace dhtpush::test
