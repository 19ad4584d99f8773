#include "device_request.h"

#include "dhtpush/node/json.h"

namespace dhtpush::proxy {

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

Expected<crypto::SubscriptionToken> parseNewSubscription(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return crypto::SubscriptionToken::generate();
    auto json = node::parseJson(body);
    if (!json) return json.error();
    if (!json->isObject()) return makeError(Errc::Invalid, "the body must be a JSON object");
    const auto& token = (*json)["token"];
    if (token.isNull()) return crypto::SubscriptionToken::generate();
    if (!token.isString()) return makeError(Errc::Invalid, "'token' must be a string");
    auto parsed = crypto::SubscriptionToken::parse(token.asString());
    if (!parsed) return makeError(Errc::Invalid, "'token' is not a version-1 subscription token");
    return *parsed;
}

}  // namespace dhtpush::proxy
