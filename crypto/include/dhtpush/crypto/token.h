#pragma once
// Subscription tokens and the DHT key they map to.
//
// A token is [version byte 0x01][16 random bytes], shown as base64url (23 chars).
// The version byte lets routing change later without breaking endpoints already
// handed to app servers.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/crypto/bytes.h"

namespace dhtpush::crypto {

constexpr std::uint8_t TOKEN_VERSION = 1;
constexpr std::size_t TOKEN_RANDOM_BYTES = 16;

using DhtKey = std::array<std::uint8_t, 20>;

class SubscriptionToken {
public:
    static SubscriptionToken generate();
    // nullopt for bad base64url, an unknown version or a wrong length.
    static std::optional<SubscriptionToken> parse(std::string_view text);

    const std::string& text() const { return text_; }
    // SHA-256("dhtpush/v1/subscription-key" || token bytes), first 20 bytes:
    // domain-separated so a token never collides with another use of the same DHT.
    DhtKey dhtKey() const;

    bool operator==(const SubscriptionToken& o) const { return text_ == o.text_; }

private:
    explicit SubscriptionToken(Bytes raw);
    Bytes raw_;
    std::string text_;
};

}  // namespace dhtpush::crypto
