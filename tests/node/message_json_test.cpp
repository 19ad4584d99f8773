#include "dhtpush/node/message_json.h"

#include <string>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/node/json.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::Bytes;
using namespace dhtpush::node;

namespace {

DeliveredMessage sampleMessage() {
    DeliveredMessage m;
    m.token = "AQABAgMEBQYHCAkKCwwNDg8";
    m.envelope.id = Bytes(MESSAGE_ID_BYTES, 0x42);
    m.envelope.createdMs = 1700000000123;
    m.envelope.ttlSeconds = 600;
    m.envelope.urgency = Urgency::VeryLow;
    m.envelope.topic = "weather";
    m.envelope.encoding = "aes128gcm";
    m.envelope.body = Bytes{0x00, 0xff, 0x10, 0x80, 'h', 'i'};
    return m;
}

Json::Value sampleJson() {
    auto parsed = parseJson(messageToJson(sampleMessage()));
    REQUIRE(parsed.ok());
    return *parsed;
}

Errc errorOf(const Json::Value& v) {
    const auto decoded = messageFromJson(writeJson(v));
    REQUIRE_FALSE(decoded.ok());
    return decoded.error().code;
}

}  // namespace

TEST_CASE("a delivered message round-trips through JSON", "[node][message_json]") {
    const auto m = sampleMessage();
    const auto decoded = messageFromJson(messageToJson(m));
    REQUIRE(decoded.ok());
    CHECK(decoded->token == m.token);
    CHECK(decoded->envelope.id == m.envelope.id);
    CHECK(decoded->envelope.createdMs == m.envelope.createdMs);
    CHECK(decoded->envelope.ttlSeconds == m.envelope.ttlSeconds);
    CHECK(decoded->envelope.urgency == m.envelope.urgency);
    CHECK(decoded->envelope.topic == m.envelope.topic);
    CHECK(decoded->envelope.encoding == m.envelope.encoding);
    CHECK(decoded->envelope.body == m.envelope.body);
}

TEST_CASE("a message without topic, encoding or body round-trips", "[node][message_json]") {
    auto m = sampleMessage();
    m.envelope.topic.clear();
    m.envelope.encoding.clear();
    m.envelope.body.clear();
    m.envelope.createdMs = UINT64_MAX;  // the full 64-bit range survives JSON
    const auto text = messageToJson(m);
    const auto json = parseJson(text);
    REQUIRE(json.ok());
    CHECK_FALSE(json->isMember("topic"));
    CHECK_FALSE(json->isMember("encoding"));
    const auto decoded = messageFromJson(text);
    REQUIRE(decoded.ok());
    CHECK(decoded->envelope.topic.empty());
    CHECK(decoded->envelope.encoding.empty());
    CHECK(decoded->envelope.body.empty());
    CHECK(decoded->envelope.createdMs == UINT64_MAX);
}

TEST_CASE("the JSON form has the documented fields", "[node][message_json]") {
    const auto text = messageToJson(sampleMessage());
    CHECK(text.find('\n') == std::string::npos);
    const auto v = sampleJson();
    CHECK(v["id"].asString() == dhtpush::crypto::base64urlEncode(Bytes(MESSAGE_ID_BYTES, 0x42)));
    CHECK(v["token"].asString() == "AQABAgMEBQYHCAkKCwwNDg8");
    CHECK(v["created_ms"].asUInt64() == 1700000000123);
    CHECK(v["ttl"].asUInt() == 600);
    CHECK(v["urgency"].asString() == "very-low");
    CHECK(v["topic"].asString() == "weather");
    CHECK(v["encoding"].asString() == "aes128gcm");
    CHECK(v["body"].asString() == dhtpush::crypto::base64urlEncode(Bytes{0x00, 0xff, 0x10, 0x80, 'h', 'i'}));
}

TEST_CASE("messageFromJson rejects malformed JSON as Malformed", "[node][message_json]") {
    for (const char* text : {"", "{", "not json", "{\"id\": }", "{'id': 'x'}", "{} trailing", "{\"a\":1,}"}) {
        CAPTURE(text);
        const auto decoded = messageFromJson(text);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == Errc::Malformed);
    }
}

TEST_CASE("messageFromJson rejects JSON that is not an object", "[node][message_json]") {
    for (const char* text : {"[]", "[{\"id\":\"x\"}]"}) {
        CAPTURE(text);
        const auto decoded = messageFromJson(text);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == Errc::Invalid);
    }
    // Strict JSON allows only an object or array at the root: a bare value is Malformed.
    for (const char* text : {"42", "\"text\"", "null"}) {
        CAPTURE(text);
        const auto decoded = messageFromJson(text);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == Errc::Malformed);
    }
}

TEST_CASE("messageFromJson rejects a missing required field", "[node][message_json]") {
    for (const char* field : {"id", "token", "created_ms", "ttl", "urgency", "body"}) {
        CAPTURE(field);
        auto v = sampleJson();
        v.removeMember(field);
        CHECK(errorOf(v) == Errc::Invalid);
    }
}

TEST_CASE("messageFromJson rejects fields of the wrong type", "[node][message_json]") {
    struct Case {
        const char* field;
        Json::Value value;
    };
    const Case cases[] = {
        {"id", Json::Value(5)},           {"token", Json::Value(Json::nullValue)}, {"token", Json::Value(true)},
        {"body", Json::Value(Json::arrayValue)}, {"ttl", Json::Value("600")},       {"ttl", Json::Value(-1)},
        {"ttl", Json::Value(Json::UInt64(1) << 33)}, {"created_ms", Json::Value("1")}, {"created_ms", Json::Value(-5)},
        {"urgency", Json::Value(2)},      {"topic", Json::Value(1)},               {"encoding", Json::Value(false)},
        {"topic", Json::Value(Json::objectValue)},
    };
    for (const auto& c : cases) {
        CAPTURE(c.field, writeJson(c.value));
        auto v = sampleJson();
        v[c.field] = c.value;
        CHECK(errorOf(v) == Errc::Invalid);
    }
}

TEST_CASE("messageFromJson rejects a body, id or urgency that does not decode", "[node][message_json]") {
    struct Case {
        const char* field;
        const char* value;
    };
    const Case cases[] = {
        {"body", "a+b/"}, {"body", "aGk="}, {"body", "a"}, {"body", "aGk h"}, {"body", "Zh"},
        {"id", "+/+/"},   {"id", "A"},      {"urgency", "urgent"},           {"urgency", "HIGH"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.field, c.value);
        auto v = sampleJson();
        v[c.field] = c.value;
        CHECK(errorOf(v) == Errc::Invalid);
    }
}

TEST_CASE("parseJson answers deep nesting with an error value, never an exception", "[node][json]") {
    for (const std::size_t depth : {15, 16, 17, 1000}) {
        const auto text = std::string(depth, '[') + std::string(depth, ']');
        auto parsed = dhtpush::node::parseJson(text);
        if (depth <= 16) {
            CHECK(parsed.ok());
        } else {
            REQUIRE_FALSE(parsed.ok());
            CHECK(parsed.error().code == dhtpush::Errc::Malformed);
        }
    }
    // Unterminated nesting past the limit: the case the fuzzer found.
    CHECK_FALSE(dhtpush::node::parseJson(std::string(16, '[')).ok());
    auto deepInObject = dhtpush::node::parseJson("{\"urgency\":" + std::string(73, '[') + "\"x\"}");
    CHECK_FALSE(deepInObject.ok());
    // The reader is reused per thread: after all those failures it still parses.
    auto after = dhtpush::node::parseJson(R"({"a":[1,2,{"b":"c"}]})");
    REQUIRE(after.ok());
    CHECK((*after)["a"][2]["b"].asString() == "c");
}

TEST_CASE("appendJsonString escapes what JSON requires and parses back to the same text", "[node][json]") {
    std::string text = "quote\" backslash\\ slash/ tab\t newline\n unicode \xc3\xa9 ";
    for (char c = 0; c < 0x20; ++c) text += c;
    std::string doc;
    appendJsonString(doc, text);
    CHECK(doc.find('\n') == std::string::npos);  // one SSE data line
    auto parsed = parseJson("[" + doc + "]");
    REQUIRE(parsed.ok());
    CHECK((*parsed)[0].asString() == text);
}
