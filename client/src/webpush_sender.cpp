#include "dhtpush/client/webpush_sender.h"

#include <chrono>

#include "dhtpush/client/device_client.h"
#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "dhtpush/node/json.h"
#include "dhtpush/node/url_origin.h"

namespace dhtpush::client {
namespace {

std::int64_t nowUnix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Expected<Json::Value> parseObject(std::string_view json, const char* what) {
    auto parsed = node::parseJson(json);
    if (!parsed) return parsed.error();
    if (!parsed->isObject()) return makeError(Errc::Invalid, std::string(what) + " is not a JSON object");
    return std::move(*parsed);
}

bool decodesTo(const std::string& b64, std::size_t size) {
    const auto bytes = crypto::base64urlDecode(b64);
    return bytes && bytes->size() == size;
}

}  // namespace

Expected<HttpRequest> buildPushRequest(const std::string& endpoint, const std::string& body, const PushOptions& options,
                                       std::int64_t now) {
    HttpRequest request{"POST", endpoint, {"TTL: " + std::to_string(options.ttlSeconds)}, body};
    request.caFile = options.caFile;
    if (!options.urgency.empty()) request.headers.push_back("Urgency: " + options.urgency);
    if (!options.topic.empty()) request.headers.push_back("Topic: " + options.topic);
    auto encoding = options.contentEncoding;
    if (options.p256dh.empty() != options.auth.empty())
        return makeError(Errc::Invalid, "encryption needs both the subscription's p256dh and auth keys");
    if (!options.p256dh.empty()) {
        auto encrypted = crypto::webpushEncrypt(crypto::toBytes(body), options.p256dh, options.auth);
        if (!encrypted) return makeError(encrypted.error().code, "cannot encrypt: " + encrypted.error().detail);
        request.body = crypto::toString(*encrypted);
        encoding = "aes128gcm";
    }
    if (!encoding.empty()) request.headers.push_back("Content-Encoding: " + encoding);
    if (options.vapid) {
        auto audience = node::urlOrigin(endpoint);
        if (!audience) return makeError(Errc::Invalid, "endpoint " + endpoint + ": " + audience.error().detail);
        auto header = crypto::vapidAuthorization(*options.vapid, *audience, options.vapidSubject,
                                                 now + VAPID_TOKEN_LIFETIME_SECONDS);
        if (!header) return makeError(header.error().code, "cannot sign with VAPID: " + header.error().detail);
        request.headers.push_back("Authorization: " + *header);
    }
    request.headers.push_back("Content-Type: application/octet-stream");
    return request;
}

Expected<PushReceipt> sendPush(const std::string& endpoint, const std::string& body, const PushOptions& options) {
    auto request = buildPushRequest(endpoint, body, options, nowUnix());
    if (!request) return request.error();
    request->timeout = options.timeout;
    auto response = httpRequest(*request);
    if (!response) return response.error();
    if (response->status != 201) return errorFromResponse(response->status, response->body);
    PushReceipt receipt;
    receipt.location = response->headers["location"];
    try {
        receipt.ttlSeconds = static_cast<std::uint32_t>(std::stoul(response->headers["ttl"]));
    } catch (const std::exception&) {
        receipt.ttlSeconds = 0;  // a node that does not say which TTL it honours
    }
    return receipt;
}

Expected<PushSubscriptionInfo> parsePushSubscription(std::string_view json) {
    auto root = parseObject(json, "the subscription");
    if (!root) return root.error();
    const auto& keys = (*root)["keys"];
    if (!(*root)["endpoint"].isString() || !keys.isObject() || !keys["p256dh"].isString() || !keys["auth"].isString())
        return makeError(Errc::Invalid, "a PushSubscription needs \"endpoint\" and \"keys\": {\"p256dh\", \"auth\"}");
    PushSubscriptionInfo info{(*root)["endpoint"].asString(), keys["p256dh"].asString(), keys["auth"].asString()};
    if (!decodesTo(info.p256dh, 65) || !decodesTo(info.auth, 16))
        return makeError(Errc::Invalid, "p256dh must be 65 bytes and auth 16 bytes of base64url");
    return info;
}

Expected<crypto::VapidKeys> parseVapidKeys(std::string_view json) {
    auto root = parseObject(json, "the VAPID key file");
    if (!root) return root.error();
    if (!(*root)["publicKey"].isString() || !(*root)["privateKey"].isString())
        return makeError(Errc::Invalid, "VAPID keys need \"publicKey\" and \"privateKey\" strings");
    crypto::VapidKeys keys{(*root)["publicKey"].asString(), (*root)["privateKey"].asString()};
    if (!decodesTo(keys.publicKey, 65) || !decodesTo(keys.privateKey, 32))
        return makeError(Errc::Invalid, "publicKey must be 65 bytes and privateKey 32 bytes of base64url");
    return keys;
}

std::string vapidKeysToJson(const crypto::VapidKeys& keys) {
    Json::Value v(Json::objectValue);
    v["publicKey"] = keys.publicKey;
    v["privateKey"] = keys.privateKey;
    return node::writeJson(v);
}

}  // namespace dhtpush::client
