#pragma once
// VAPID (RFC 8292): an app server identifies itself to a push service with a JWT signed
// by ES256 (P-256, SHA-256), sent as `Authorization: vapid t=<JWT>, k=<public key>`.
//
// JWT = base64url({"typ":"JWT","alg":"ES256"}) "." base64url({"aud","exp","sub"}) "."
//       base64url(r || s), the raw 64-byte signature (RFC 7518 §3.4).
// No detail of any error carries the private key.
#include <cstdint>
#include <string>
#include <string_view>

#include "dhtpush/expected.h"

namespace dhtpush::crypto {

// What an envelope carries of it (node::MAX_VAPID_BYTES): a longer header is malformed here, as
// docs/protocol.md says, not only refused later by the node.
constexpr std::size_t VAPID_MAX_HEADER_SIZE = 1024;
constexpr std::int64_t VAPID_MAX_LIFETIME_SECONDS = 24 * 60 * 60;

struct VapidKeys {
    std::string publicKey;    // uncompressed P-256 point, 65 bytes, base64url
    std::string privateKey;   // the secret scalar, 32 bytes, base64url
};

struct VapidClaims {
    std::string audience;     // "aud": the push service's origin
    std::int64_t expiresAt;   // "exp": seconds since the Unix epoch
    std::string subject;      // "sub": mailto: or https: contact of the app server
    std::string publicKey;    // "k" of the header, base64url as sent
};

// A fresh key pair (GnuTLS). Internal only if the generator fails.
Expected<VapidKeys> generateVapidKeys();

// The value of an Authorization header: `vapid t=<JWT>, k=<publicKey>`.
// Invalid: keys not 65/32 bytes of base64url, a private key that does not match the public
// key, an empty audience, a subject that is not mailto: or https:. Internal: signing failed.
Expected<std::string> vapidAuthorization(const VapidKeys& keys, const std::string& audience,
                                         const std::string& subject, std::int64_t expiresAtUnix);

// Checks an Authorization header value as a push service does.
// Accepts `vapid t=<JWT>, k=<key>` with any case of `vapid`, the parameters in either order,
// spaces around ',' and '=', and quoted values; rejects the draft `WebPush <JWT>` form.
// Malformed: over VAPID_MAX_HEADER_SIZE, another scheme, t or k missing or repeated, bad
//   base64url, k not a 65-byte uncompressed point, a JWT without three parts, JSON that is
//   not an object, aud/exp/sub missing or of the wrong type, a signature not 64 bytes.
// Forbidden: alg not ES256, a signature that does not verify with k, k not
//   expectedPublicKeyB64 (when that is not empty; compared in constant time), aud not
//   expectedAudience, exp <= nowUnix or exp > nowUnix + 24 h.
// Invalid: expectedPublicKeyB64 given but not a 65-byte key in base64url.
Expected<VapidClaims> verifyVapidAuthorization(std::string_view headerValue,
                                               const std::string& expectedPublicKeyB64,
                                               const std::string& expectedAudience, std::int64_t nowUnix);

}  // namespace dhtpush::crypto
