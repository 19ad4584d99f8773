#include "dhtpush/crypto/token.h"

#include <algorithm>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"

namespace dhtpush::crypto {
namespace {
constexpr std::string_view KEY_DOMAIN = "dhtpush/v1/subscription-key";
}

SubscriptionToken::SubscriptionToken(Bytes raw) : raw_(std::move(raw)), text_(base64urlEncode(raw_)) {}

SubscriptionToken SubscriptionToken::generate() {
    Bytes raw{TOKEN_VERSION};
    const auto random = randomBytes(TOKEN_RANDOM_BYTES);
    raw.insert(raw.end(), random.begin(), random.end());
    return SubscriptionToken(std::move(raw));
}

std::optional<SubscriptionToken> SubscriptionToken::parse(std::string_view text) {
    if (text.size() > 64) return std::nullopt;
    auto raw = base64urlDecode(text);
    if (!raw || raw->size() != 1 + TOKEN_RANDOM_BYTES || (*raw)[0] != TOKEN_VERSION) return std::nullopt;
    return SubscriptionToken(std::move(*raw));
}

DhtKey SubscriptionToken::dhtKey() const {
    std::string input(KEY_DOMAIN);
    input.append(raw_.begin(), raw_.end());
    const auto digest = sha256(input);
    DhtKey key{};
    std::copy_n(digest.begin(), key.size(), key.begin());
    return key;
}

}  // namespace dhtpush::crypto
