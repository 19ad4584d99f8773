#pragma once
// The app-server side: POST a push message to a WebPush endpoint (RFC 8030 §5), encrypted
// for the subscription (RFC 8291) and signed with VAPID (RFC 8292) when keys are given.
#include <cstdint>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/client/http_client.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/expected.h"

namespace dhtpush::client {

struct PushOptions {
    std::uint32_t ttlSeconds{2419200};
    std::string urgency;          // empty: not sent (the node assumes normal)
    std::string topic;
    std::string contentEncoding;  // empty: plain bytes; set to aes128gcm when encrypting
    // The subscription's keys (base64url): when both are set the body is encrypted with
    // aes128gcm for them (RFC 8291).
    std::string p256dh;
    std::string auth;
    // When set, an `Authorization: vapid t=..., k=...` header signed with these keys:
    // aud = the endpoint's origin, exp = now + VAPID_TOKEN_LIFETIME, sub = vapidSubject.
    std::optional<crypto::VapidKeys> vapid;
    std::string vapidSubject;     // mailto: or https: contact of the app server
    std::string caFile;           // see HttpRequest::caFile
    // How long to wait for the answer: a node answers once the DHT stored the message, within
    // its own --publish-wait (5 s by default).
    std::chrono::milliseconds timeout{10000};
};

constexpr std::int64_t VAPID_TOKEN_LIFETIME_SECONDS = 12 * 3600;

struct PushReceipt {
    std::string location;        // the message resource the node created
    std::uint32_t ttlSeconds{0}; // the TTL the node will honour
};

// The request sendPush makes, without I/O. Invalid: only one of p256dh and auth, bad keys,
// a VAPID subject that is not mailto:/https:, an endpoint that is not an http(s) URL;
// TooLarge: a message above crypto::WEBPUSH_MAX_PLAINTEXT_SIZE when encrypting.
Expected<HttpRequest> buildPushRequest(const std::string& endpoint, const std::string& body, const PushOptions& options,
                                       std::int64_t nowUnix);

// Errors of buildPushRequest, and the node's problem detail (400, 403, 404, 413, 415, 503...).
Expected<PushReceipt> sendPush(const std::string& endpoint, const std::string& body, const PushOptions& options);

// A browser's PushSubscription as JSON: {"endpoint": "...", "keys": {"p256dh": "...", "auth": "..."}}
// (what `dhtpush subscribe` prints). Malformed: not JSON; Invalid: a field missing or not a string.
struct PushSubscriptionInfo {
    std::string endpoint;
    std::string p256dh;
    std::string auth;
};
Expected<PushSubscriptionInfo> parsePushSubscription(std::string_view json);

// VAPID keys as JSON, {"publicKey": "...", "privateKey": "..."} (the shape of web-push's
// generateVAPIDKeys()). Malformed: not JSON; Invalid: a key missing, not base64url or of the
// wrong size.
Expected<crypto::VapidKeys> parseVapidKeys(std::string_view json);
std::string vapidKeysToJson(const crypto::VapidKeys& keys);

}  // namespace dhtpush::client
