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

// Body of POST /v1/devices/{id}/subscriptions: empty, `{}` or {"token": "<token>"}.
// Without a token the proxy makes one.
Expected<crypto::SubscriptionToken> parseNewSubscription(std::string_view body);

}  // namespace dhtpush::proxy
