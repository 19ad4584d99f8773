#include "dhtpush/crypto/random.h"

#include <gnutls/crypto.h>

#include <cstdlib>

namespace dhtpush::crypto {

Bytes randomBytes(std::size_t count) {
    Bytes out(count);
    if (count > 0 && gnutls_rnd(GNUTLS_RND_KEY, out.data(), count) != 0) {
        // Nothing secure can be made without randomness; continuing would hand out guessable tokens.
        std::abort();
    }
    return out;
}

std::uint64_t randomUint64() {
    const auto bytes = randomBytes(sizeof(std::uint64_t));
    std::uint64_t value = 0;
    for (const auto b : bytes) value = value << 8 | b;
    return value;
}

}  // namespace dhtpush::crypto
