#pragma once
// ES256 (ECDSA on P-256 with SHA-256, RFC 7518 §3.4) on raw keys: the 65-byte uncompressed
// point and the 32-byte scalar, and the raw 64-byte r || s signature. VAPID signs with it, and
// a proxy its directory entry.
#include <optional>
#include <string_view>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"

namespace dhtpush::crypto {

constexpr std::size_t ES256_SIGNATURE_SIZE = 64;

bool isUncompressedP256Point(const std::optional<Bytes>& bytes);

// ES256 over `data`; the raw r || s. The scalar is wiped as soon as GnuTLS holds a copy.
// Invalid when point and scalar are not a P-256 key pair.
Expected<Bytes> signEs256(const Bytes& point, Bytes& scalar, std::string_view data);

// Whether a raw r || s signature of `data` verifies with the point. Malformed when the point
// is not a P-256 public key or the signature is not 64 bytes.
Expected<bool> verifyEs256(const Bytes& point, std::string_view data, const Bytes& signature);

}  // namespace dhtpush::crypto
