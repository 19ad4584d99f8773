#include "device_request.h"

#include <string>
#include <vector>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/vapid.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::SubscriptionToken;
using dhtpush::proxy::parseBearer;
using dhtpush::proxy::parseNewSubscription;
using dhtpush::proxy::parseSubscriptionRequest;

TEST_CASE("parseBearer returns the secret of a Bearer credential", "[proxy][device_request]") {
    const auto secret = parseBearer(std::string_view("Bearer s3cr3t-_AB"));
    REQUIRE(secret.ok());
    CHECK(*secret == "s3cr3t-_AB");
}

TEST_CASE("parseBearer needs an Authorization header", "[proxy][device_request]") {
    const auto secret = parseBearer(std::nullopt);
    REQUIRE_FALSE(secret.ok());
    CHECK(secret.error().code == Errc::Unauthorized);
}

TEST_CASE("parseBearer rejects other schemes and an empty credential", "[proxy][device_request]") {
    for (const char* value : {"", "Basic x", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer", "Bearerabc", "Token abc"}) {
        CAPTURE(value);
        const auto secret = parseBearer(std::string_view(value));
        REQUIRE_FALSE(secret.ok());
        CHECK(secret.error().code == Errc::Unauthorized);
    }
}

TEST_CASE("parseBearer rejects a secret above 256 characters", "[proxy][device_request]") {
    const std::string max = "Bearer " + std::string(256, 'a');
    CHECK(parseBearer(std::string_view(max)).ok());
    const std::string tooLong = "Bearer " + std::string(257, 'a');
    const auto secret = parseBearer(std::string_view(tooLong));
    REQUIRE_FALSE(secret.ok());
    CHECK(secret.error().code == Errc::Unauthorized);
    // The error detail never echoes the secret.
    CHECK(secret.error().detail.find(std::string(257, 'a')) == std::string::npos);
}

TEST_CASE("an empty, blank or {} subscription body gets a fresh token", "[proxy][device_request]") {
    for (const char* body : {"", " ", " \t\r\n", "{}", " { } ", "{\"token\": null}", "{\"other\": 1}"}) {
        CAPTURE(body);
        const auto token = parseNewSubscription(body);
        REQUIRE(token.ok());
        CHECK(token->text().size() == 23);
        CHECK(SubscriptionToken::parse(token->text()));
    }
    const auto a = parseNewSubscription("");
    const auto b = parseNewSubscription("");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK_FALSE(*a == *b);
}

TEST_CASE("given the proxy's inbox, a fresh token is a version-2 token in that inbox", "[proxy][device_request]") {
    const dhtpush::crypto::Bytes inbox(dhtpush::crypto::INBOX_ID_BYTES, 9);
    const auto inInbox = SubscriptionToken::generateInInbox(inbox);
    REQUIRE(inInbox);
    for (const char* body : {"", "{}", "{\"token\": null}"}) {
        CAPTURE(body);
        const auto request = parseSubscriptionRequest(body, inbox);
        REQUIRE(request.ok());
        CHECK(request->token.version() == 2);
        CHECK(request->token.dhtKey() == inInbox->dhtKey());
        CHECK(request->token.text().size() == 44);
    }
    // A token the device brings stays as it is, of either version.
    const auto own = SubscriptionToken::generate();
    const auto kept = parseSubscriptionRequest("{\"token\": \"" + own.text() + "\"}", inbox);
    REQUIRE(kept.ok());
    CHECK(kept->token == own);
    const auto keptV2 = parseSubscriptionRequest("{\"token\": \"" + inInbox->text() + "\"}");
    REQUIRE(keptV2.ok());
    CHECK(keptV2->token == *inInbox);
}

TEST_CASE("a subscription body with a valid token returns that token", "[proxy][device_request]") {
    const auto existing = SubscriptionToken::generate();
    const auto token = parseNewSubscription("{\"token\": \"" + existing.text() + "\"}");
    REQUIRE(token.ok());
    CHECK(*token == existing);
}

TEST_CASE("a malformed JSON subscription body is Malformed", "[proxy][device_request]") {
    for (const char* body : {"{", "not json", "{\"token\": }", "{\"token\": \"x\",}", "{} {}", "{'token': 'x'}"}) {
        CAPTURE(body);
        const auto token = parseNewSubscription(body);
        REQUIRE_FALSE(token.ok());
        CHECK(token.error().code == Errc::Malformed);
    }
}

TEST_CASE("a subscription body that is not an object, or a bad token, is Invalid", "[proxy][device_request]") {
    for (const char* body : {"[]", "[\"AQABAgMEBQYHCAkKCwwNDg8\"]", "{\"token\": 5}", "{\"token\": true}",
                             "{\"token\": {}}", "{\"token\": \"\"}", "{\"token\": \"abc\"}",
                             "{\"token\": \"AgABAgMEBQYHCAkKCwwNDg8\"}", "{\"token\": \"AQABAgMEBQYHCAkKCwwNDg8=\"}"}) {
        CAPTURE(body);
        const auto token = parseNewSubscription(body);
        REQUIRE_FALSE(token.ok());
        CHECK(token.error().code == Errc::Invalid);
    }
}

TEST_CASE("a subscription body may bind a VAPID application server key", "[proxy][device_request]") {
    const auto keys = dhtpush::crypto::generateVapidKeys();
    REQUIRE(keys.ok());
    const auto withKey = parseSubscriptionRequest("{\"vapid_key\": \"" + keys->publicKey + "\"}");
    REQUIRE(withKey.ok());
    CHECK(withKey->vapidKey == keys->publicKey);
    CHECK(withKey->token.text().size() == 23);

    const auto existing = SubscriptionToken::generate();
    const auto both =
        parseSubscriptionRequest("{\"token\": \"" + existing.text() + "\", \"vapid_key\": \"" + keys->publicKey + "\"}");
    REQUIRE(both.ok());
    CHECK(both->token == existing);
    CHECK(both->vapidKey == keys->publicKey);

    for (const char* body : {"", "{}", "{\"vapid_key\": null}"}) {
        CAPTURE(body);
        const auto none = parseSubscriptionRequest(body);
        REQUIRE(none.ok());
        CHECK(none->vapidKey.empty());
    }
}

TEST_CASE("a vapid_key that is not a P-256 point in base64url is Invalid", "[proxy][device_request]") {
    const auto keys = dhtpush::crypto::generateVapidKeys();
    REQUIRE(keys.ok());
    auto bytes = *dhtpush::crypto::base64urlDecode(keys->publicKey);
    auto compressed = bytes;
    compressed[0] = 0x02;
    auto offCurve = bytes;
    offCurve[64] ^= 1;  // y no longer matches x
    const std::vector<std::string> bad = {
        "5", "true", "\"\"", "\"abc\"", "\"" + keys->publicKey + "=\"", "\"" + keys->privateKey + "\"",
        "\"" + keys->publicKey.substr(1) + "\"", "\"" + dhtpush::crypto::base64urlEncode(compressed) + "\"",
        "\"" + dhtpush::crypto::base64urlEncode(offCurve) + "\""};
    for (const auto& value : bad) {
        CAPTURE(value);
        const auto parsed = parseSubscriptionRequest("{\"vapid_key\": " + value + "}");
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == Errc::Invalid);
        CHECK(parsed.error().detail.find("vapid_key") != std::string::npos);
    }
}

TEST_CASE("in an inbox, a subscription bound to a key gets a version-3 token committing to it", "[proxy][device_request]") {
    const auto keys = dhtpush::crypto::generateVapidKeys();
    const auto other = dhtpush::crypto::generateVapidKeys();
    REQUIRE(keys.ok());
    REQUIRE(other.ok());
    const dhtpush::crypto::Bytes inbox(dhtpush::crypto::INBOX_ID_BYTES, 9);
    const auto body = "{\"vapid_key\": \"" + keys->publicKey + "\"}";
    const auto bound = parseSubscriptionRequest(body, inbox);
    REQUIRE(bound.ok());
    CHECK(bound->token.version() == 3);
    CHECK(bound->token.text().size() == 66);
    CHECK(bound->token.dhtKey() == SubscriptionToken::generateInInbox(inbox)->dhtKey());  // the inbox's key
    CHECK(bound->token.boundKeyCommitment() ==
          SubscriptionToken::keyCommitment(*dhtpush::crypto::base64urlDecode(keys->publicKey)));
    // Brought back by the device: only with the key it commits to.
    const auto token = "{\"token\": \"" + bound->token.text() + "\"";
    CHECK(parseSubscriptionRequest(token + ", \"vapid_key\": \"" + keys->publicKey + "\"}", inbox).ok());
    CHECK(parseSubscriptionRequest(token + "}", inbox).error().code == Errc::Invalid);
    CHECK(parseSubscriptionRequest(token + ", \"vapid_key\": \"" + other->publicKey + "\"}", inbox).error().code ==
          Errc::Invalid);
}
