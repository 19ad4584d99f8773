#include "dhtpush/client/webpush_sender.h"

#include <algorithm>
#include <string>

#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/webpush_encryption.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using namespace dhtpush::client;

namespace {

const std::string ENDPOINT = "https://127.0.0.1:8443/wp/AXo_tKy6cLTTPlKzZtkdm_o";
constexpr std::int64_t NOW = 1700000000;

std::string headerValue(const HttpRequest& r, const std::string& name) {
    for (const auto& h : r.headers)
        if (h.rfind(name + ": ", 0) == 0) return h.substr(name.size() + 2);
    return {};
}

bool hasHeader(const HttpRequest& r, const std::string& name) {
    return std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.rfind(name + ":", 0) == 0; });
}

dhtpush::crypto::SubscriptionKeys subscriptionKeys() {
    auto k = dhtpush::crypto::generateSubscriptionKeys();
    REQUIRE(k.ok());
    return *k;
}

}  // namespace

TEST_CASE("a push without keys sends the message as plain bytes", "[client][webpush_sender]") {
    PushOptions options;
    options.ttlSeconds = 60;
    options.urgency = "high";
    const auto r = buildPushRequest(ENDPOINT, "hello", options, NOW);
    REQUIRE(r.ok());
    CHECK(r->method == "POST");
    CHECK(r->url == ENDPOINT);
    CHECK(r->body == "hello");
    CHECK(headerValue(*r, "TTL") == "60");
    CHECK(headerValue(*r, "Urgency") == "high");
    CHECK_FALSE(hasHeader(*r, "Content-Encoding"));
    CHECK_FALSE(hasHeader(*r, "Authorization"));
}

TEST_CASE("a push with the subscription's keys is aes128gcm that the device decrypts", "[client][webpush_sender]") {
    const auto keys = subscriptionKeys();
    PushOptions options;
    options.p256dh = keys.p256dh;
    options.auth = keys.auth;
    const auto r = buildPushRequest(ENDPOINT, "for the device only", options, NOW);
    REQUIRE(r.ok());
    CHECK(headerValue(*r, "Content-Encoding") == "aes128gcm");
    CHECK(r->body.find("for the device only") == std::string::npos);
    const auto plain = dhtpush::crypto::webpushDecrypt(dhtpush::crypto::toBytes(r->body), keys.p256dh, keys.privateKey,
                                                      keys.auth);
    REQUIRE(plain.ok());
    CHECK(dhtpush::crypto::toString(*plain) == "for the device only");
}

TEST_CASE("a push with VAPID keys is signed for the endpoint's origin, 12 hours ahead", "[client][webpush_sender]") {
    auto vapid = dhtpush::crypto::generateVapidKeys();
    REQUIRE(vapid.ok());
    PushOptions options;
    options.vapid = *vapid;
    options.vapidSubject = "mailto:ops@example.com";
    const auto r = buildPushRequest(ENDPOINT, "", options, NOW);
    REQUIRE(r.ok());
    const auto header = headerValue(*r, "Authorization");
    const auto claims = dhtpush::crypto::verifyVapidAuthorization(header, vapid->publicKey, "https://127.0.0.1:8443", NOW);
    REQUIRE(claims.ok());
    CHECK(claims->expiresAt == NOW + 12 * 3600);
    CHECK(claims->subject == "mailto:ops@example.com");
}

TEST_CASE("buildPushRequest refuses half a key set, bad keys, a bad subject and an oversized message",
          "[client][webpush_sender]") {
    const auto keys = subscriptionKeys();
    PushOptions half;
    half.p256dh = keys.p256dh;
    auto r = buildPushRequest(ENDPOINT, "x", half, NOW);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::Invalid);

    PushOptions badKey;
    badKey.p256dh = "abc";
    badKey.auth = keys.auth;
    r = buildPushRequest(ENDPOINT, "x", badKey, NOW);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::Invalid);

    PushOptions big;
    big.p256dh = keys.p256dh;
    big.auth = keys.auth;
    CHECK(buildPushRequest(ENDPOINT, std::string(dhtpush::crypto::WEBPUSH_MAX_PLAINTEXT_SIZE, 'a'), big, NOW).ok());
    r = buildPushRequest(ENDPOINT, std::string(dhtpush::crypto::WEBPUSH_MAX_PLAINTEXT_SIZE + 1, 'a'), big, NOW);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::TooLarge);

    auto vapid = dhtpush::crypto::generateVapidKeys();
    REQUIRE(vapid.ok());
    PushOptions noSubject;
    noSubject.vapid = *vapid;
    r = buildPushRequest(ENDPOINT, "x", noSubject, NOW);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::Invalid);
    noSubject.vapidSubject = "mailto:a@b.c";
    r = buildPushRequest("not a url", "x", noSubject, NOW);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::Invalid);
}

TEST_CASE("parsePushSubscription reads what dhtpush subscribe prints", "[client][webpush_sender]") {
    const auto keys = subscriptionKeys();
    const auto info = parsePushSubscription(R"({"endpoint":")" + ENDPOINT + R"(","expirationTime":null,"keys":{"p256dh":")" +
                                            keys.p256dh + R"(","auth":")" + keys.auth + R"("}})");
    REQUIRE(info.ok());
    CHECK(info->endpoint == ENDPOINT);
    CHECK(info->p256dh == keys.p256dh);
    CHECK(info->auth == keys.auth);

    CHECK(parsePushSubscription("{").error().code == Errc::Malformed);
    for (const std::string bad : {"[]", "{}", R"({"endpoint":"x"})", R"({"endpoint":"x","keys":{"p256dh":"a","auth":"b"}})",
                                  R"({"endpoint":1,"keys":{}})"}) {
        CAPTURE(bad);
        const auto parsed = parsePushSubscription(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == Errc::Invalid);
    }
}

TEST_CASE("VAPID keys round-trip through their JSON form", "[client][webpush_sender]") {
    auto vapid = dhtpush::crypto::generateVapidKeys();
    REQUIRE(vapid.ok());
    const auto json = vapidKeysToJson(*vapid);
    const auto back = parseVapidKeys(json);
    REQUIRE(back.ok());
    CHECK(back->publicKey == vapid->publicKey);
    CHECK(back->privateKey == vapid->privateKey);
    CHECK(parseVapidKeys("nope").error().code == Errc::Malformed);
    CHECK(parseVapidKeys(R"({"publicKey":"abc","privateKey":"def"})").error().code == Errc::Invalid);
    CHECK(parseVapidKeys(R"({"publicKey":")" + vapid->publicKey + R"("})").error().code == Errc::Invalid);
}
