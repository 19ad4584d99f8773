#pragma once
// The app-server side: POST a push message to a WebPush endpoint (RFC 8030 §5).
#include <cstdint>
#include <string>

#include "dhtpush/expected.h"

namespace dhtpush::client {

struct PushOptions {
    std::uint32_t ttlSeconds{2419200};
    std::string urgency;          // empty: not sent (the node assumes normal)
    std::string topic;
    std::string contentEncoding;  // empty: plain bytes
};

struct PushReceipt {
    std::string location;        // the message resource the node created
    std::uint32_t ttlSeconds{0}; // the TTL the node will honour
};

// Errors carry the node's problem detail (400, 404, 413, 415, 503...).
Expected<PushReceipt> sendPush(const std::string& endpoint, const std::string& body, const PushOptions& options);

}  // namespace dhtpush::client
