#include "dhtpush/crypto/inbox_placement.h"

#include <nettle/sha2.h>

#include <algorithm>
#include <stdexcept>

#include "dhtpush/crypto/random.h"
#include "inbox_key_domain.h"

namespace dhtpush::crypto {
namespace {

void keyOf(const sha256_ctx& domain, const std::uint8_t* inboxId, DhtKey& key) {
    auto ctx = domain;  // the domain prefix is hashed once, not per attempt
    sha256_update(&ctx, INBOX_ID_BYTES, inboxId);
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> digest;
    sha256_digest(&ctx, digest.size(), digest.data());
    std::copy_n(digest.begin(), key.size(), key.begin());
}

// The next id after `id`, counting in its last 8 bytes.
void countUp(Bytes& id) {
    for (auto i = id.size(); i-- > id.size() - 8;)
        if (++id[i] != 0) return;
}

sha256_ctx domainContext() {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, INBOX_KEY_DOMAIN.size(), reinterpret_cast<const std::uint8_t*>(INBOX_KEY_DOMAIN.data()));
    return ctx;
}

}  // namespace

std::optional<DhtKey> inboxKey(const Bytes& inboxId) {
    if (inboxId.size() != INBOX_ID_BYTES) return std::nullopt;
    DhtKey key;
    keyOf(domainContext(), inboxId.data(), key);
    return key;
}

unsigned sharedPrefixBits(const DhtKey& a, const DhtKey& b) {
    unsigned bits = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto diff = static_cast<std::uint8_t>(a[i] ^ b[i]);
        if (diff == 0) {
            bits += 8;
            continue;
        }
        for (auto mask = 0x80u; (diff & mask) == 0; mask >>= 1) ++bits;
        break;
    }
    return bits;
}

Bytes inboxIdNear(const DhtKey& nodeId, unsigned bits) {
    if (bits > 32) throw std::invalid_argument("inbox placement beyond 32 bits would take too long");
    const auto domain = domainContext();
    // A random id, then its last 8 bytes counted up: each attempt is a fresh key, and the id
    // stays as unguessable as the random start.
    auto id = randomBytes(INBOX_ID_BYTES);
    DhtKey key;
    for (;;) {
        keyOf(domain, id.data(), key);
        if (sharedPrefixBits(key, nodeId) >= bits) return id;
        countUp(id);
    }
}

}  // namespace dhtpush::crypto
