#pragma once
// How many distinct DHT keys this node puts to within OpenDHT's search lifetime.
//
// Each key a node puts to is a search that OpenDHT keeps for 62 minutes after its last use,
// and every node a reply names is offered to each of them: POSTs to ever new endpoints (any
// random token is a valid one) would make each of the node's packets dearer without bound,
// and in Debian's OpenDHT 2.4.12 `Dht::search` spins forever once its search limit is
// reached. So a node refuses a new key when it already counts `maxKeys` keys used within the
// window. Keys it counts stay cheap to reuse (an inbox takes one for all its subscriptions);
// the keys the node watches are not counted (token_publisher.h).
// Not thread-safe: the HTTP thread only.
#include <chrono>
#include <cstddef>
#include <list>
#include <map>

#include "dhtpush/crypto/token.h"

namespace dhtpush::node {

// OpenDHT's SEARCH_EXPIRE_TIME (62 min), plus its expiry pass that runs every 2 to 6 minutes.
constexpr std::chrono::minutes OPENDHT_SEARCH_LIFETIME{68};

class PublishKeyBudget {
public:
    using Clock = std::chrono::steady_clock;

    // maxKeys 0: no limit.
    PublishKeyBudget(std::size_t maxKeys, Clock::duration window = OPENDHT_SEARCH_LIFETIME);

    // True for a key already counted (its use is renewed) or when there is room for one more;
    // false when `maxKeys` other keys were used within the window.
    bool admit(const crypto::DhtKey& key, Clock::time_point now);
    std::size_t size() const { return byUse_.size(); }
    // Whether the key is counted already (a POST to it takes nothing new).
    bool counts(const crypto::DhtKey& key) const { return index_.count(key) > 0; }

private:
    struct Use {
        crypto::DhtKey key;
        Clock::time_point at;
    };

    std::size_t maxKeys_;
    Clock::duration window_;
    std::list<Use> byUse_;  // least recently used first
    std::map<crypto::DhtKey, std::list<Use>::iterator> index_;
};

}  // namespace dhtpush::node
