#include "dht_key_hash.h"

#include <cstdint>
#include <cstring>
#include <random>

namespace dhtpush::node {

namespace {

// splitmix64's finaliser: every bit of the input reaches every bit of the output.
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t processSeed() {
    std::random_device random;
    return (static_cast<std::uint64_t>(random()) << 32) ^ random();
}

}  // namespace

std::size_t DhtKeyHash::operator()(const crypto::DhtKey& key) const noexcept {
    static_assert(sizeof(crypto::DhtKey) == 20, "a DHT key is 8 + 8 + 4 bytes here");
    static const std::uint64_t seed = processSeed();
    std::uint64_t head = 0, middle = 0;
    std::uint32_t tail = 0;
    std::memcpy(&head, key.data(), 8);
    std::memcpy(&middle, key.data() + 8, 8);
    std::memcpy(&tail, key.data() + 16, 4);
    return static_cast<std::size_t>(mix(mix(mix(seed ^ head) ^ middle) ^ tail));
}

}  // namespace dhtpush::node
