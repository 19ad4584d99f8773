#pragma once
// The key material a device makes per subscription (RFC 8291 §2): a P-256 key pair
// and a 16-byte auth secret, all shown as base64url.
#include <string>

#include "dhtpush/expected.h"

namespace dhtpush::crypto {

struct SubscriptionKeys {
    std::string p256dh;       // uncompressed public point, 65 bytes
    std::string privateKey;   // the secret scalar, 32 bytes: never leaves the device
    std::string auth;         // 16 random bytes
};

Expected<SubscriptionKeys> generateSubscriptionKeys();

}  // namespace dhtpush::crypto
