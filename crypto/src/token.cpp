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
constexpr std::string_view BOUND_KEY_DOMAIN = "dhtpush/v3/bound-key";
constexpr std::size_t APPLICATION_SERVER_KEY_BYTES = 65;

Bytes domainHash(std::string_view domain, Bytes::const_iterator begin, Bytes::const_iterator end, std::size_t size) {
    std::string input(domain);
    input.append(begin, end);
    const auto digest = sha256(input);
    return Bytes(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(size));
}

std::size_t tokenBytes(std::uint8_t version) {
    if (version == TOKEN_VERSION) return 1 + TOKEN_RANDOM_BYTES;
    if (version == INBOX_TOKEN_VERSION) return 1 + INBOX_ID_BYTES + TOKEN_RANDOM_BYTES;
    if (version == BOUND_TOKEN_VERSION) return 1 + INBOX_ID_BYTES + TOKEN_RANDOM_BYTES + KEY_COMMITMENT_BYTES;
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

std::optional<SubscriptionToken> SubscriptionToken::generateBound(const Bytes& inboxId, const Bytes& applicationServerKey) {
    if (inboxId.size() != INBOX_ID_BYTES || applicationServerKey.size() != APPLICATION_SERVER_KEY_BYTES)
        return std::nullopt;
    Bytes raw{BOUND_TOKEN_VERSION};
    raw.insert(raw.end(), inboxId.begin(), inboxId.end());
    const auto random = randomBytes(TOKEN_RANDOM_BYTES);
    raw.insert(raw.end(), random.begin(), random.end());
    const auto commitment = keyCommitment(applicationServerKey);
    raw.insert(raw.end(), commitment.begin(), commitment.end());
    return SubscriptionToken(std::move(raw));
}

Bytes SubscriptionToken::keyCommitment(const Bytes& applicationServerKey) {
    return domainHash(BOUND_KEY_DOMAIN, applicationServerKey.begin(), applicationServerKey.end(), KEY_COMMITMENT_BYTES);
}

std::optional<SubscriptionToken> SubscriptionToken::parse(std::string_view text) {
    if (text.size() > 96) return std::nullopt;
    auto raw = base64urlDecode(text);
    if (!raw || raw->empty() || raw->size() != tokenBytes((*raw)[0])) return std::nullopt;
    return SubscriptionToken(std::move(*raw));
}

DhtKey SubscriptionToken::dhtKey() const {
    if (inInbox())
        return *inboxKey(Bytes(raw_.begin() + 1, raw_.begin() + 1 + INBOX_ID_BYTES));
    const auto digest = domainHash(KEY_DOMAIN, raw_.begin(), raw_.end(), 20);
    DhtKey key{};
    std::copy_n(digest.begin(), key.size(), key.begin());
    return key;
}

Bytes SubscriptionToken::recipient() const {
    if (!inInbox()) return {};
    return domainHash(RECIPIENT_DOMAIN, raw_.begin(), raw_.end(), RECIPIENT_BYTES);
}

Bytes SubscriptionToken::boundKeyCommitment() const {
    if (version() != BOUND_TOKEN_VERSION) return {};
    return Bytes(raw_.end() - static_cast<std::ptrdiff_t>(KEY_COMMITMENT_BYTES), raw_.end());
}

}  // namespace dhtpush::crypto
