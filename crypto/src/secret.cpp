#include "dhtpush/crypto/secret.h"

#include <gnutls/gnutls.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

namespace dhtpush::crypto {

bool constantTimeEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return memeql_sec(a.data(), b.data(), a.size()) != 0;
}

Bytes sha256(std::string_view data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
    Bytes out(SHA256_DIGEST_SIZE);
    sha256_digest(&ctx, out.size(), out.data());
    return out;
}

void wipe(std::string& secret) {
    if (!secret.empty()) gnutls_memset(secret.data(), 0, secret.size());
    secret.clear();
}

void wipe(Bytes& secret) {
    if (!secret.empty()) gnutls_memset(secret.data(), 0, secret.size());
    secret.clear();
}

}  // namespace dhtpush::crypto
