#include "dhtpush/client/message_listener.h"

#include <string>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "dhtpush/node/json.h"

#include <catch2/catch.hpp>

using dhtpush::crypto::Bytes;
using namespace dhtpush::client;

namespace {

dhtpush::node::DeliveredMessage message(const std::string& token, const std::string& body) {
    dhtpush::node::DeliveredMessage m;
    m.token = token;
    m.envelope.id = Bytes(dhtpush::node::MESSAGE_ID_BYTES, 0x11);
    m.envelope.createdMs = 1700000000000;
    m.envelope.ttlSeconds = 60;
    m.envelope.body = Bytes(body.begin(), body.end());
    return m;
}

// A subscription made by hand, without keys: its bodies are shown as they come.
DeviceState stateWith(const std::string& token, const std::string& endpoint = "http://proxy/wp/tok") {
    DeviceState s;
    s.subscriptions.push_back({token, endpoint, "http://proxy", "", "", "", {}});
    return s;
}

// A subscription with keys, as `dhtpush subscribe` makes it.
struct KeyedState {
    DeviceState state;
    dhtpush::crypto::SubscriptionKeys keys;
    KeyedState() {
        auto k = dhtpush::crypto::generateSubscriptionKeys();
        REQUIRE(k.ok());
        keys = *k;
        state.subscriptions.push_back({"tok", "http://proxy/wp/tok", "http://proxy", keys.p256dh, keys.auth,
                                       keys.privateKey, {}});
    }
    dhtpush::node::DeliveredMessage sealed(const std::string& text) const {
        auto m = message("tok", "");
        auto body = dhtpush::crypto::webpushEncrypt(dhtpush::crypto::toBytes(text), keys.p256dh, keys.auth);
        REQUIRE(body.ok());
        m.envelope.encoding = "aes128gcm";
        m.envelope.body = *body;
        return m;
    }
};

Json::Value lineJson(const dhtpush::node::DeliveredMessage& m, const DeviceState& s) {
    const auto line = listenLine(m, s);
    REQUIRE(line.ok());
    CHECK(line->find('\n') == std::string::npos);
    auto parsed = dhtpush::node::parseJson(*line);
    REQUIRE(parsed.ok());
    return *parsed;
}

}  // namespace

TEST_CASE("RecentIds rejects an id seen before", "[client][listener]") {
    RecentIds ids(10);
    CHECK(ids.insert("a"));
    CHECK(ids.insert("b"));
    CHECK_FALSE(ids.insert("a"));
    CHECK_FALSE(ids.insert("b"));
    CHECK(ids.insert("c"));
    CHECK_FALSE(ids.insert("c"));
}

TEST_CASE("RecentIds forgets the oldest id once the window is full", "[client][listener]") {
    RecentIds ids(3);
    CHECK(ids.insert("a"));
    CHECK(ids.insert("b"));
    CHECK(ids.insert("c"));
    CHECK_FALSE(ids.insert("a"));  // still within the window of 3
    CHECK(ids.insert("d"));        // evicts "a"
    CHECK_FALSE(ids.insert("b"));
    CHECK_FALSE(ids.insert("c"));
    CHECK_FALSE(ids.insert("d"));
    CHECK(ids.insert("a"));        // forgotten, accepted again; evicts "b"
    CHECK(ids.insert("b"));        // evicts "c"
    CHECK_FALSE(ids.insert("d"));
    CHECK_FALSE(ids.insert("a"));
}

TEST_CASE("RecentIds keeps exactly `capacity` ids over a long run", "[client][listener]") {
    RecentIds ids(100);
    for (int i = 0; i < 1000; ++i) REQUIRE(ids.insert(std::to_string(i)));
    for (int i = 900; i < 1000; ++i) CHECK_FALSE(ids.insert(std::to_string(i)));
    CHECK(ids.insert("899"));
}

TEST_CASE("listenLine adds text for a UTF-8 body", "[client][listener]") {
    for (const std::string& body : {std::string("hello"), std::string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"),
                                   std::string("line 1\nline 2\ttab\r\n"), std::string("")}) {
        CAPTURE(body);
        const auto json = lineJson(message("tok", body), stateWith("tok"));
        REQUIRE(json.isMember("text"));
        CHECK(json["text"].asString() == body);
        CHECK(json["body"].asString() == dhtpush::crypto::base64urlEncode(body));
    }
}

TEST_CASE("listenLine has no text for a body that is not UTF-8", "[client][listener]") {
    for (const std::string& body : {std::string("\xff\xfe"), std::string("abc\xff"), std::string("\x80"),
                                   std::string("\xc3"), std::string("\xe2\x82"), std::string("\xf0\x9f\x98"),
                                   std::string("\xc3\x28"), std::string("\xf8\x88\x80\x80\x80")}) {
        CAPTURE(body);
        const auto json = lineJson(message("tok", body), stateWith("tok"));
        CHECK_FALSE(json.isMember("text"));
        // The bytes are still there, as base64url.
        CHECK(json["body"].asString() == dhtpush::crypto::base64urlEncode(body));
    }
}

TEST_CASE("listenLine adds the subscription's endpoint from the state", "[client][listener]") {
    const auto state = stateWith("tok", "http://proxy/v1/push/tok");
    const auto json = lineJson(message("tok", "hi"), state);
    CHECK(json["endpoint"].asString() == "http://proxy/v1/push/tok");
    CHECK(json["token"].asString() == "tok");
    CHECK(json["id"].asString() == dhtpush::crypto::base64urlEncode(Bytes(16, 0x11)));
    CHECK(json["ttl"].asUInt() == 60);

    const auto unknown = listenLine(message("other", "hi"), state);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == dhtpush::Errc::NotFound);
}

TEST_CASE("listenLine shows a subscription with keys only what decrypts with them", "[client][listener]") {
    const KeyedState keyed;
    const auto json = lineJson(keyed.sealed("from the app server"), keyed.state);
    CHECK(json["text"].asString() == "from the app server");
}

// Regression (issue 12): a body with no content coding reached a subscription with keys and
// was printed as "text": anyone who knew the endpoint could make the device show anything.
TEST_CASE("listenLine refuses plain and undecryptable bodies for a subscription with keys", "[client][listener]") {
    const KeyedState keyed;
    const auto plain = listenLine(message("tok", "forged text"), keyed.state);
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().code == dhtpush::Errc::Forbidden);
    CHECK(plain.error().detail.find("forged") == std::string::npos);

    const KeyedState other;  // sealed for another subscription's keys: does not decrypt here
    auto wrongKeys = other.sealed("forged text");
    const auto refused = listenLine(wrongKeys, keyed.state);
    REQUIRE_FALSE(refused.ok());

    auto tampered = keyed.sealed("real text");
    tampered.envelope.body.back() ^= 1;
    CHECK_FALSE(listenLine(tampered, keyed.state).ok());
}

// Known product bug: isUtf8Text checks only the byte pattern, so overlong forms, surrogates and
// code points above U+10FFFF pass, and listenLine writes them raw into "text" (invalid UTF-8 JSON).
//  keeps the suite green while the bug exists and turns red once it is fixed.
TEST_CASE("listenLine has no text for overlong, surrogate or out-of-range UTF-8 (known bug)",
          "[client][listener]") {
    for (const std::string& body : {std::string("\xc0\xaf"), std::string("\xe0\x80\xaf"),
                                    std::string("\xed\xa0\x80"), std::string("\xf5\x80\x80\x80")}) {
        CAPTURE(body);
        const auto json = lineJson(message("tok", body), stateWith("tok"));
        CHECK_FALSE(json.isMember("text"));
    }
}
