#pragma once
// Subscription tokens and the DHT key they map to.
//
// Version 1: [0x01][16 random bytes], 23 base64url characters. The token has a DHT key of
// its own: one listen per subscription.
// Version 2: [0x02][16-byte inbox id][16 random bytes], 44 characters. The DHT key is the
// inbox's, shared by the subscriptions a proxy put in that inbox: the proxy holds one listen
// per inbox, and a sender puts every message for one inbox that arrives while a put to it is
// in flight into one DHT value. A recipient id (a hash of the token) tells the subscriptions
// apart inside a value; the token itself never enters the DHT.
// Version 3: [0x03][16-byte inbox id][16 random bytes][16-byte key commitment], 66
// characters: a version-2 token (same DHT key, same recipient rule) of a subscription bound to
// an application server key (RFC 8292 §4), committing to SHA-256("dhtpush/v3/bound-key" ||
// the key's 65 bytes), first 16 bytes. Any node that takes a POST for it can then refuse
// senders who do not sign with that key, without asking the device's proxy.
// The version byte lets routing change without breaking endpoints already handed out.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/crypto/bytes.h"

namespace dhtpush::crypto {

constexpr std::uint8_t TOKEN_VERSION = 1;
constexpr std::uint8_t INBOX_TOKEN_VERSION = 2;
constexpr std::uint8_t BOUND_TOKEN_VERSION = 3;
constexpr std::size_t KEY_COMMITMENT_BYTES = 16;
constexpr std::size_t TOKEN_RANDOM_BYTES = 16;
constexpr std::size_t INBOX_ID_BYTES = 16;
constexpr std::size_t RECIPIENT_BYTES = 16;

using DhtKey = std::array<std::uint8_t, 20>;

class SubscriptionToken {
public:
    // Version 1.
    static SubscriptionToken generate();
    // Version 2 in that inbox; nullopt unless the id has INBOX_ID_BYTES.
    static std::optional<SubscriptionToken> generateInInbox(const Bytes& inboxId);
    // Version 3 in that inbox, bound to `applicationServerKey` (its 65 raw bytes); nullopt
    // unless the id has INBOX_ID_BYTES and the key 65 bytes.
    static std::optional<SubscriptionToken> generateBound(const Bytes& inboxId, const Bytes& applicationServerKey);
    // The commitment a version-3 token holds for this key (its 65 raw bytes).
    static Bytes keyCommitment(const Bytes& applicationServerKey);
    // nullopt for bad base64url, an unknown version or a wrong length.
    static std::optional<SubscriptionToken> parse(std::string_view text);
    bool inInbox() const { return version() == INBOX_TOKEN_VERSION || version() == BOUND_TOKEN_VERSION; }

    const std::string& text() const { return text_; }
    std::uint8_t version() const { return raw_.front(); }
    // Version 1: SHA-256("dhtpush/v1/subscription-key" || token bytes), first 20 bytes.
    // Versions 2 and 3: SHA-256("dhtpush/v2/inbox-key" || inbox id), first 20 bytes.
    // Domain-separated so a token never collides with another use of the same DHT.
    DhtKey dhtKey() const;
    // Versions 2 and 3: SHA-256("dhtpush/v2/recipient" || token bytes), first 16 bytes.
    // Version 1: empty (the key alone names the subscription).
    Bytes recipient() const;
    // Version 3: the key commitment; empty for other versions (not bound, as far as any node
    // but the device's proxy can tell).
    Bytes boundKeyCommitment() const;

    bool operator==(const SubscriptionToken& o) const { return text_ == o.text_; }

private:
    explicit SubscriptionToken(Bytes raw);
    Bytes raw_;
    std::string text_;
};

}  // namespace dhtpush::crypto
