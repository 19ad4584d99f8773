#pragma once
// RFC 8291 message encryption for Web Push, over the RFC 8188 "aes128gcm" coding (ece.h).
//
// ecdh_secret = ECDH(P-256) between the app server's key and the device's p256dh
// IKM         = HKDF-SHA-256(salt = auth, ikm = ecdh_secret,
//                            info = "WebPush: info\0" || ua_public || as_public, L = 32)
// body        = aes128gcm(IKM, random salt, rs = 4096, keyid = as_public (65 bytes)), one record
//
// Keys are the base64url forms of subscription_keys.h: p256dh = 65-byte uncompressed point,
// privateKey = 32-byte scalar, auth = 16 bytes.
// Errors: Invalid for a key or secret of the wrong encoding, size or curve; TooLarge when
// plaintext + padding exceed MAX_PLAINTEXT_SIZE; decrypt also returns the Malformed and
// Forbidden (authentication failure) errors of ece::decrypt, and Malformed when the key id
// is not a 65-byte uncompressed point (Invalid when that point is not on P-256).
// No detail carries key material or plaintext.
#include <cstddef>
#include <string>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"

namespace dhtpush::crypto {

constexpr std::uint32_t WEBPUSH_RECORD_SIZE = 4096;
// 4096 - header (21 + 65) - tag (16) - delimiter (1): the largest message in one record.
constexpr std::size_t WEBPUSH_MAX_PLAINTEXT_SIZE = 3993;

// App-server side, with a fresh ephemeral key pair and salt.
Expected<Bytes> webpushEncrypt(const Bytes& plaintext, const std::string& uaPublicB64,
                               const std::string& authB64, std::size_t padding = 0);

// The same with the app server's private key (32-byte scalar, base64url) and the 16-byte
// salt given: deterministic, for test vectors. Invalid also for a bad key or salt size.
Expected<Bytes> webpushEncryptWith(const Bytes& plaintext, const std::string& uaPublicB64,
                                   const std::string& authB64, const std::string& asPrivateB64,
                                   const Bytes& salt, std::size_t padding = 0);

// Device side: the key id of the body is the app server's public key.
Expected<Bytes> webpushDecrypt(const Bytes& body, const std::string& uaPublicB64,
                               const std::string& uaPrivateB64, const std::string& authB64);

}  // namespace dhtpush::crypto
