#include "vapid_check.h"

#include "header_text.h"

#include <algorithm>
#include <cctype>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/node/json.h"

namespace dhtpush::proxy {
namespace {

Error forbidden(const std::string& detail) { return makeError(Errc::Forbidden, "VAPID: " + detail); }

// The `aud` a header claims, read without verifying anything; empty when it cannot be read.
// Only used to pick which audience to verify against: verifyVapidAuthorization then checks
// the whole header, including that very claim under the signature.
std::string claimedAudience(std::string_view header) {
    const auto space = header.find(' ');
    if (space == std::string_view::npos || asciiLower(header.substr(0, space)) != "vapid") return {};
    auto rest = header.substr(space + 1);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        auto param = trimOws(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto eq = param.find('=');
        if (eq == std::string_view::npos || asciiLower(trimOws(param.substr(0, eq))) != "t") continue;
        auto jwt = trimOws(param.substr(eq + 1));
        if (jwt.size() >= 2 && jwt.front() == '"' && jwt.back() == '"') jwt = jwt.substr(1, jwt.size() - 2);
        const auto first = jwt.find('.');
        const auto second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
        if (second == std::string_view::npos) return {};
        const auto claims = crypto::base64urlDecode(jwt.substr(first + 1, second - first - 1));
        if (!claims) return {};
        const auto json = node::parseJson(crypto::toString(*claims));
        if (!json || !json->isObject() || !(*json)["aud"].isString()) return {};
        return (*json)["aud"].asString();
    }
    return {};
}

Expected<std::string> verify(std::string_view header, const std::string& boundKey, const std::string& audience,
                             std::int64_t now) {
    auto claims = crypto::verifyVapidAuthorization(header, boundKey, audience, now);
    if (!claims) return forbidden(claims.error().detail);
    return claims->publicKey;
}

}  // namespace

Expected<std::string> checkPostVapid(const std::string& boundKey, std::optional<std::string_view> authorization,
                                     const std::vector<std::string>& audiences, std::int64_t nowUnix,
                                     const crypto::Bytes& keyCommitment) {
    if (!authorization) {
        if (boundKey.empty() && keyCommitment.empty()) return std::string();
        return forbidden("this subscription accepts only messages signed by its application server: "
                         "an 'Authorization: vapid t=<JWT>, k=<key>' header is required (RFC 8292)");
    }
    if (audiences.empty()) return makeError(Errc::Internal, "VAPID: this node has no audience");
    // why: the header travels in the envelope to the device's proxy, which checks it again.
    if (authorization->size() > node::MAX_VAPID_BYTES)
        return forbidden("the Authorization header is above " + std::to_string(node::MAX_VAPID_BYTES) + " bytes");
    const auto claimed = claimedAudience(*authorization);
    const bool known = std::find(audiences.begin(), audiences.end(), claimed) != audiences.end();
    // An unknown aud is still verified (against our first origin) so that the answer names
    // the first rule that fails, signature before audience.
    auto signer = verify(*authorization, boundKey, known ? claimed : audiences.front(), nowUnix);
    if (!signer || keyCommitment.empty()) return signer;
    const auto key = crypto::base64urlDecode(*signer);
    if (!key || !crypto::constantTimeEqual(crypto::toString(crypto::SubscriptionToken::keyCommitment(*key)),
                                           crypto::toString(keyCommitment)))
        return forbidden("k is not the VAPID key of this subscription");
    return signer;
}

Expected<std::int64_t> checkEnvelopeVapid(const std::string& boundKey, const node::Envelope& envelope,
                                          std::int64_t nowUnix) {
    if (boundKey.empty()) return std::int64_t{0};
    if (envelope.encoding != "aes128gcm")
        return forbidden("a subscription bound to an application server key accepts only aes128gcm bodies");
    if (envelope.vapid.empty()) return forbidden("the envelope carries no proof for the subscription's bound key");
    auto claims = crypto::verifyVapidAuthorization(envelope.vapid, boundKey, claimedAudience(envelope.vapid), nowUnix);
    if (!claims) return forbidden(claims.error().detail);
    if (envelope.createdMs / 1000 >= static_cast<std::uint64_t>(claims->expiresAt))
        return forbidden("the envelope was created after its JWT expired");
    return claims->expiresAt;
}

}  // namespace dhtpush::proxy
