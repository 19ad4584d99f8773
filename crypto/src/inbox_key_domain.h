#pragma once
#include <string_view>

namespace dhtpush::crypto {
// Domain separation for the DHT key of an inbox (token version 2).
constexpr std::string_view INBOX_KEY_DOMAIN = "dhtpush/v2/inbox-key";
}  // namespace dhtpush::crypto
