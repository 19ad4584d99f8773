#include "webpush_request.h"

#include <string>

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::node::Urgency;
using dhtpush::proxy::WebPushHeaders;
using dhtpush::proxy::parseWebPushRequest;

namespace {

constexpr std::uint32_t MAX_TTL = 3600;

WebPushHeaders ttlOnly(std::string_view ttl) {
    WebPushHeaders h;
    h.ttl = ttl;
    return h;
}

// An RFC 8291 body: salt, record size 4096, idlen 65, a key, then `record` bytes of record.
std::string aes128gcmBody(std::size_t record = 17, std::uint32_t recordSize = 4096, unsigned char idlen = 65) {
    std::string body(16, 's');
    for (int shift = 24; shift >= 0; shift -= 8) body.push_back(static_cast<char>(recordSize >> shift & 0xff));
    body.push_back(static_cast<char>(idlen));
    body.append(65, 'k');
    body.append(record, 'r');
    return body;
}

Errc errorOf(const WebPushHeaders& h, std::string_view body = {}) {
    const auto parsed = parseWebPushRequest(h, body, MAX_TTL);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().code;
}

}  // namespace

TEST_CASE("a push request without TTL is invalid", "[proxy][webpush]") {
    CHECK(errorOf(WebPushHeaders{}) == Errc::Invalid);
}

TEST_CASE("a TTL that is not a non-negative decimal number is invalid", "[proxy][webpush]") {
    for (const char* ttl : {"", " ", "abc", "-1", "-0", "+5", "1.5", "60s", "0x10", "6 0", "1e3"}) {
        CAPTURE(ttl);
        CHECK(errorOf(ttlOnly(ttl)) == Errc::Invalid);
    }
}

TEST_CASE("a TTL within the maximum is honoured as given", "[proxy][webpush]") {
    for (const auto& [text, seconds] : {std::pair<const char*, std::uint32_t>{"0", 0}, {"60", 60}, {" 120\t", 120},
                                        {"3600", 3600}, {"007", 7}}) {
        CAPTURE(text);
        const auto e = parseWebPushRequest(ttlOnly(text), "", MAX_TTL);
        REQUIRE(e.ok());
        CHECK(e->ttlSeconds == seconds);
    }
}

TEST_CASE("a TTL above the maximum is capped to the maximum", "[proxy][webpush]") {
    for (const char* ttl : {"3601", "4294967296", "18446744073709551615", "99999999999999999999",
                            "9999999999999999999999999999999999999999"}) {
        CAPTURE(ttl);
        const auto e = parseWebPushRequest(ttlOnly(ttl), "", MAX_TTL);
        REQUIRE(e.ok());
        CHECK(e->ttlSeconds == MAX_TTL);
    }
}

TEST_CASE("Urgency values are accepted case-insensitively and default to normal", "[proxy][webpush]") {
    const auto none = parseWebPushRequest(ttlOnly("60"), "", MAX_TTL);
    REQUIRE(none.ok());
    CHECK(none->urgency == Urgency::Normal);
    const std::pair<const char*, Urgency> cases[] = {
        {"very-low", Urgency::VeryLow}, {"low", Urgency::Low},   {"normal", Urgency::Normal},
        {"high", Urgency::High},        {"HIGH", Urgency::High}, {"Very-Low", Urgency::VeryLow},
        {" low ", Urgency::Low},        {"NoRmAl", Urgency::Normal},
    };
    for (const auto& [text, urgency] : cases) {
        CAPTURE(text);
        auto h = ttlOnly("60");
        h.urgency = text;
        const auto e = parseWebPushRequest(h, "", MAX_TTL);
        REQUIRE(e.ok());
        CHECK(e->urgency == urgency);
    }
}

TEST_CASE("an unknown Urgency is invalid", "[proxy][webpush]") {
    for (const char* text : {"", "urgent", "very_low", "verylow", "3", "high,low"}) {
        CAPTURE(text);
        auto h = ttlOnly("60");
        h.urgency = text;
        CHECK(errorOf(h) == Errc::Invalid);
    }
}

TEST_CASE("a valid Topic is kept", "[proxy][webpush]") {
    for (const char* text : {"a", "news-01_x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
        CAPTURE(text);
        auto h = ttlOnly("60");
        h.topic = text;
        const auto e = parseWebPushRequest(h, "", MAX_TTL);
        REQUIRE(e.ok());
        CHECK(e->topic == text);
    }
    const auto none = parseWebPushRequest(ttlOnly("60"), "", MAX_TTL);
    REQUIRE(none.ok());
    CHECK(none->topic.empty());
}

TEST_CASE("an empty, overlong or non-base64url Topic is invalid", "[proxy][webpush]") {
    const std::string tooLong(33, 'a');
    for (const std::string& text : {std::string(""), std::string("  "), tooLong, std::string("a=b"),
                                    std::string("a b"), std::string("a/b"), std::string("a+b"), std::string("ü")}) {
        CAPTURE(text);
        auto h = ttlOnly("60");
        h.topic = text;
        CHECK(errorOf(h) == Errc::Invalid);
    }
}

TEST_CASE("Content-Encoding aes128gcm is accepted, others are unsupported", "[proxy][webpush]") {
    for (const char* text : {"aes128gcm", "AES128GCM", " aes128gcm "}) {
        CAPTURE(text);
        auto h = ttlOnly("60");
        h.contentEncoding = text;
        const auto e = parseWebPushRequest(h, aes128gcmBody(), MAX_TTL);
        REQUIRE(e.ok());
        CHECK(e->encoding == "aes128gcm");
    }
    for (const char* text : {"gzip", "aesgcm", "identity", "aes128gcm, gzip"}) {
        CAPTURE(text);
        auto h = ttlOnly("60");
        h.contentEncoding = text;
        CHECK(errorOf(h, "ciphertext") == Errc::UnsupportedEncoding);
    }
}

TEST_CASE("an aes128gcm body must have RFC 8291's header and one record", "[proxy][webpush]") {
    auto h = ttlOnly("60");
    h.contentEncoding = "aes128gcm";
    CHECK(parseWebPushRequest(h, aes128gcmBody(17), MAX_TTL).ok());           // the smallest
    CHECK(parseWebPushRequest(h, aes128gcmBody(4010), MAX_TTL).ok());         // 4096 bytes in all
    CHECK(parseWebPushRequest(h, aes128gcmBody(18, 18), MAX_TTL).ok());       // a record of the minimum size
    CHECK(errorOf(h, "") == Errc::Invalid);                                   // nothing
    CHECK(errorOf(h, aes128gcmBody(0)) == Errc::Invalid);                     // the header alone
    CHECK(errorOf(h, aes128gcmBody(16)) == Errc::Invalid);                    // shorter than a tag and a delimiter
    CHECK(errorOf(h, aes128gcmBody(17, 4096, 0)) == Errc::Invalid);           // no keyid
    CHECK(errorOf(h, aes128gcmBody(17, 4096, 33)) == Errc::Invalid);          // a compressed key
    CHECK(errorOf(h, aes128gcmBody(17, 17)) == Errc::Invalid);                // record size below 18
    CHECK(errorOf(h, aes128gcmBody(100, 99)) == Errc::Invalid);               // more than one record
    CHECK(parseWebPushRequest(ttlOnly("60"), "not encrypted", MAX_TTL).ok());  // no coding: opaque, not checked
}

TEST_CASE("a body of 4096 bytes is accepted, 4097 is too large", "[proxy][webpush]") {
    const std::string max(4096, 'x');
    const auto e = parseWebPushRequest(ttlOnly("60"), max, MAX_TTL);
    REQUIRE(e.ok());
    CHECK(e->body.size() == 4096);
    CHECK(errorOf(ttlOnly("60"), std::string(4097, 'x')) == Errc::TooLarge);
}

TEST_CASE("the returned envelope carries every parsed field", "[proxy][webpush]") {
    WebPushHeaders h;
    h.ttl = "90";
    h.urgency = "high";
    h.topic = "chat";
    h.contentEncoding = "aes128gcm";
    const auto body = aes128gcmBody();
    const auto e = parseWebPushRequest(h, body, MAX_TTL);
    REQUIRE(e.ok());
    CHECK(e->ttlSeconds == 90);
    CHECK(e->urgency == Urgency::High);
    CHECK(e->topic == "chat");
    CHECK(e->encoding == "aes128gcm");
    CHECK(e->body == dhtpush::crypto::Bytes(body.begin(), body.end()));
    CHECK(e->id.size() == dhtpush::node::MESSAGE_ID_BYTES);
    CHECK(e->createdMs > 0);
    // A second request gets its own message id.
    const auto again = parseWebPushRequest(h, body, MAX_TTL);
    REQUIRE(again.ok());
    CHECK(again->id != e->id);
}
