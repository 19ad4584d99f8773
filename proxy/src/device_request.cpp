#include "device_request.h"

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "dhtpush/node/json.h"

namespace dhtpush::proxy {
namespace {

constexpr std::size_t P256_POINT_BYTES = 65;

Status checkVapidKey(const std::string& key) {
    const auto point = crypto::base64urlDecode(key);
    if (!point || point->size() != P256_POINT_BYTES || (*point)[0] != 0x04)
        return makeError(Errc::Invalid, "'vapid_key' must be a 65-byte uncompressed P-256 point in base64url "
                                        "without padding (the application server key)");
    // why: GnuTLS refuses a point off the curve when it imports it as a peer key; encrypting an
    // empty message to it is the cheapest way the crypto module offers to ask.
    const auto probe = crypto::webpushEncrypt({}, key, crypto::base64urlEncode(crypto::Bytes(16, 0)));
    if (!probe) return makeError(Errc::Invalid, "'vapid_key' is not a point on P-256");
    return success();
}

}  // namespace

Expected<std::string> parseBearer(std::optional<std::string_view> authorization) {
    constexpr std::string_view PREFIX = "Bearer ";
    if (!authorization) return makeError(Errc::Unauthorized, "an Authorization: Bearer <device secret> header is required");
    auto value = *authorization;
    if (value.size() <= PREFIX.size() || value.substr(0, PREFIX.size()) != PREFIX)
        return makeError(Errc::Unauthorized, "the Authorization header must be 'Bearer <device secret>'");
    value.remove_prefix(PREFIX.size());
    if (value.size() > 256) return makeError(Errc::Unauthorized, "the device secret is too long");
    return std::string(value);
}

Expected<NewSubscription> parseSubscriptionRequest(std::string_view body, const crypto::Bytes& inboxId) {
    // A bound subscription's token commits to its key (version 3), so that every node can
    // refuse unsigned senders; the others are version 2 (in an inbox) or 1.
    const auto fresh = [&inboxId](const std::string& vapidKey = {}) {
        if (!vapidKey.empty())
            if (auto bound = crypto::SubscriptionToken::generateBound(inboxId, *crypto::base64urlDecode(vapidKey)))
                return *bound;
        if (auto inbox = crypto::SubscriptionToken::generateInInbox(inboxId)) return *inbox;
        return crypto::SubscriptionToken::generate();
    };
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return NewSubscription{fresh(), {}};
    auto json = node::parseJson(body);
    if (!json) return json.error();
    if (!json->isObject()) return makeError(Errc::Invalid, "the body must be a JSON object");
    std::string vapidKey;
    const auto& key = (*json)["vapid_key"];
    if (!key.isNull()) {
        if (!key.isString()) return makeError(Errc::Invalid, "'vapid_key' must be a string");
        vapidKey = key.asString();
        if (auto valid = checkVapidKey(vapidKey); !valid) return valid.error();
    }
    const auto& token = (*json)["token"];
    if (token.isNull()) return NewSubscription{fresh(vapidKey), std::move(vapidKey)};
    if (!token.isString()) return makeError(Errc::Invalid, "'token' must be a string");
    auto parsed = crypto::SubscriptionToken::parse(token.asString());
    if (!parsed) return makeError(Errc::Invalid, "'token' is not a dhtpush subscription token (version 1, 2 or 3)");
    // A version-3 token is only good with the key it commits to.
    if (const auto commitment = parsed->boundKeyCommitment(); !commitment.empty()) {
        if (vapidKey.empty()) return makeError(Errc::Invalid, "a version-3 token needs the 'vapid_key' it is bound to");
        if (crypto::SubscriptionToken::keyCommitment(*crypto::base64urlDecode(vapidKey)) != commitment)
            return makeError(Errc::Invalid, "the token is bound to another 'vapid_key'");
    }
    return NewSubscription{*parsed, std::move(vapidKey)};
}

Expected<crypto::SubscriptionToken> parseNewSubscription(std::string_view body) {
    auto request = parseSubscriptionRequest(body);
    if (!request) return request.error();
    return request->token;
}

}  // namespace dhtpush::proxy
