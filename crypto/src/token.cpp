#include "dhtpush/crypto/token.h"

#include <algorithm>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/inbox_placement.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"

namespace dhtpush::crypto {
namespace {
constexpr std::string_view KEY_DOMAIN = "dhtpush/v1/subscription-key";
constexpr std::string_view RECIPIENT_DOMAIN = "dhtpush/v2/recipient";

Bytes domainHash(std::string_view domain, Bytes::const_iterator begin, Bytes::const_iterator end, std::size_t size) {
    std::string input(domain);
    input.append(begin, end);
    const auto digest = sha256(input);
    return Bytes(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(size));
}

std::size_t tokenBytes(std::uint8_t version) {
    if (version == TOKEN_VERSION) return 1 + TOKEN_RANDOM_BYTES;
    if (version == INBOX_TOKEN_VERSION) return 1 + INBOX_ID_BYTES + TOKEN_RANDOM_BYTES;
    return 0;
}
}  // namespace

SubscriptionToken::SubscriptionToken(Bytes raw) : raw_(std::move(raw)), text_(base64urlEncode(raw_)) {}

SubscriptionToken SubscriptionToken::generate() {
    Bytes raw{TOKEN_VERSION};
    const auto random = randomBytes(TOKEN_RANDOM_BYTES);
    raw.insert(raw.end(), random.begin(), random.end());
    return SubscriptionToken(std::move(raw));
}

std::optional<SubscriptionToken> SubscriptionToken::generateInInbox(const Bytes& inboxId) {
    if (inboxId.size() != INBOX_ID_BYTES) return std::nullopt;
    Bytes raw{INBOX_TOKEN_VERSION};
    raw.insert(raw.end(), inboxId.begin(), inboxId.end());
    const auto random = randomBytes(TOKEN_RANDOM_BYTES);
    raw.insert(raw.end(), random.begin(), random.end());
    return SubscriptionToken(std::move(raw));
}

std::optional<SubscriptionToken> SubscriptionToken::parse(std::string_view text) {
    if (text.size() > 64) return std::nullopt;
    auto raw = base64urlDecode(text);
    if (!raw || raw->empty() || raw->size() != tokenBytes((*raw)[0])) return std::nullopt;
    return SubscriptionToken(std::move(*raw));
}

DhtKey SubscriptionToken::dhtKey() const {
    if (version() == INBOX_TOKEN_VERSION)
        return *inboxKey(Bytes(raw_.begin() + 1, raw_.begin() + 1 + INBOX_ID_BYTES));
    const auto digest = domainHash(KEY_DOMAIN, raw_.begin(), raw_.end(), 20);
    DhtKey key{};
    std::copy_n(digest.begin(), key.size(), key.begin());
    return key;
}

Bytes SubscriptionToken::recipient() const {
    if (version() != INBOX_TOKEN_VERSION) return {};
    return domainHash(RECIPIENT_DOMAIN, raw_.begin(), raw_.end(), RECIPIENT_BYTES);
}

}  // namespace dhtpush::crypto
