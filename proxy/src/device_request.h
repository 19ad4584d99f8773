#pragma once
// Device API inputs, parsed without I/O.
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/crypto/token.h"
#include "dhtpush/expected.h"

namespace dhtpush::proxy {

// "Bearer <secret>" → the secret; Unauthorized when absent or not a bearer credential.
Expected<std::string> parseBearer(std::optional<std::string_view> authorization);

struct NewSubscription {
    crypto::SubscriptionToken token;
    std::string vapidKey;  // the app server key bound to it (base64url 65-byte P-256 point); empty: none
};

// Body of POST /v1/devices/{id}/subscriptions: empty, `{}`, or an object with an optional
// "token" (without one the proxy makes one: in `inboxId` when given, else of version 1) and
// an optional "vapid_key" (like the Push API's applicationServerKey: only messages signed
// with it get through).
// Malformed: not JSON. Invalid: not an object, a bad token, a vapid_key that is not a
// string holding a 65-byte uncompressed point on P-256 in base64url without padding.
Expected<NewSubscription> parseSubscriptionRequest(std::string_view body, const crypto::Bytes& inboxId = {});

// The token of parseSubscriptionRequest, for callers that bind no key.
Expected<crypto::SubscriptionToken> parseNewSubscription(std::string_view body);

}  // namespace dhtpush::proxy
