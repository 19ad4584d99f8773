#pragma once
// RFC 8030 §5 push message requests, parsed without I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::proxy {

struct WebPushHeaders {
    std::optional<std::string_view> ttl;
    std::optional<std::string_view> urgency;
    std::optional<std::string_view> topic;
    std::optional<std::string_view> contentEncoding;
};

// Checks TTL (required, decimal seconds; capped at maxTtl), Urgency, Topic, the content
// coding, the body size and, for aes128gcm, the body's RFC 8291 header; returns the envelope
// to publish (TTL as honoured).
Expected<node::Envelope> parseWebPushRequest(const WebPushHeaders& headers, std::string_view body,
                                             std::uint32_t maxTtl);

}  // namespace dhtpush::proxy
