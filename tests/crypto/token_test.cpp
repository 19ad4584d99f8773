#include "dhtpush/crypto/token.h"

#include <string>

#include "dhtpush/crypto/base64url.h"

#include <catch2/catch.hpp>

using dhtpush::crypto::Bytes;
using dhtpush::crypto::SubscriptionToken;
using dhtpush::crypto::base64urlDecode;
using dhtpush::crypto::base64urlEncode;

namespace {

Bytes tokenBytes(std::uint8_t version, std::size_t randomBytes) {
    Bytes raw{version};
    for (std::size_t i = 0; i < randomBytes; ++i) raw.push_back(static_cast<std::uint8_t>(i));
    return raw;
}

}  // namespace

TEST_CASE("a generated token is 23 base64url characters of version 1 and 16 random bytes", "[crypto][token]") {
    const auto token = SubscriptionToken::generate();
    CHECK(token.text().size() == 23);
    const auto raw = base64urlDecode(token.text());
    REQUIRE(raw);
    REQUIRE(raw->size() == 1 + dhtpush::crypto::TOKEN_RANDOM_BYTES);
    CHECK((*raw)[0] == dhtpush::crypto::TOKEN_VERSION);
}

TEST_CASE("a generated token parses back to an equal token", "[crypto][token]") {
    const auto token = SubscriptionToken::generate();
    const auto parsed = SubscriptionToken::parse(token.text());
    REQUIRE(parsed);
    CHECK(*parsed == token);
    CHECK(parsed->text() == token.text());
    CHECK(parsed->dhtKey() == token.dhtKey());
}

TEST_CASE("two generated tokens differ", "[crypto][token]") {
    const auto a = SubscriptionToken::generate();
    const auto b = SubscriptionToken::generate();
    CHECK_FALSE(a == b);
    CHECK(a.text() != b.text());
}

TEST_CASE("token parsing rejects a version byte other than 1 and 2", "[crypto][token]") {
    CHECK(SubscriptionToken::parse(base64urlEncode(tokenBytes(1, 16))));
    CHECK(SubscriptionToken::parse(base64urlEncode(tokenBytes(2, 32))));
    for (const int version : {0, 3, 0x7f, 0xff}) {
        CAPTURE(version);
        CHECK_FALSE(SubscriptionToken::parse(base64urlEncode(tokenBytes(static_cast<std::uint8_t>(version), 16))));
    }
}

TEST_CASE("token parsing rejects a wrong length", "[crypto][token]") {
    for (const std::size_t randomBytes : {0u, 1u, 15u, 17u, 32u}) {
        CAPTURE(randomBytes);
        CHECK_FALSE(SubscriptionToken::parse(base64urlEncode(tokenBytes(1, randomBytes))));
    }
    for (const std::size_t bytes : {0u, 16u, 31u, 33u}) {  // version 2 carries 16 + 16 bytes
        CAPTURE(bytes);
        CHECK_FALSE(SubscriptionToken::parse(base64urlEncode(tokenBytes(2, bytes))));
    }
    CHECK_FALSE(SubscriptionToken::parse(base64urlEncode(Bytes{})));
    CHECK_FALSE(SubscriptionToken::parse(""));
}

TEST_CASE("token parsing rejects text that is not base64url", "[crypto][token]") {
    const std::string good = base64urlEncode(tokenBytes(1, 16));
    REQUIRE(SubscriptionToken::parse(good));
    for (const char bad : {'+', '/', '=', ' ', '.', '\n'}) {
        std::string text = good;
        text[5] = bad;
        CAPTURE(text);
        CHECK_FALSE(SubscriptionToken::parse(text));
    }
    CHECK_FALSE(SubscriptionToken::parse(good + "="));
    CHECK_FALSE(SubscriptionToken::parse(" " + good));
    // Same bytes, but the unused trailing bits are set: a second spelling must not exist.
    std::string nonCanonical = good;
    nonCanonical.back() = static_cast<char>(nonCanonical.back() + 1);
    CHECK_FALSE(SubscriptionToken::parse(nonCanonical));
}

TEST_CASE("token parsing rejects text above 64 characters", "[crypto][token]") {
    const std::string good = base64urlEncode(tokenBytes(1, 16));
    CHECK_FALSE(SubscriptionToken::parse(good + std::string(65 - good.size(), 'A')));
    CHECK_FALSE(SubscriptionToken::parse(std::string(1000, 'A')));
    CHECK_FALSE(SubscriptionToken::parse(std::string(100000, 'A')));
}

TEST_CASE("dhtKey is SHA-256 of the domain and the token bytes, cut to 20 bytes", "[crypto][token]") {
    // python3: hashlib.sha256(b'dhtpush/v1/subscription-key' + bytes([1]) + bytes(range(16))).hexdigest()[:40]
    const auto token = SubscriptionToken::parse("AQABAgMEBQYHCAkKCwwNDg8");
    REQUIRE(token);
    const dhtpush::crypto::DhtKey expected{0xd5, 0x88, 0x69, 0xf1, 0xb7, 0xcc, 0xdc, 0xed, 0xa5, 0xb0,
                                           0x08, 0xd1, 0x04, 0x52, 0xfa, 0xb5, 0xfc, 0xfe, 0x48, 0xad};
    CHECK(token->dhtKey() == expected);
}

TEST_CASE("dhtKey is deterministic per token and differs between tokens", "[crypto][token]") {
    const auto a = SubscriptionToken::generate();
    const auto b = SubscriptionToken::generate();
    CHECK(a.dhtKey() == a.dhtKey());
    CHECK(SubscriptionToken::parse(a.text())->dhtKey() == a.dhtKey());
    CHECK(a.dhtKey() != b.dhtKey());
    const auto c = SubscriptionToken::parse(base64urlEncode(tokenBytes(1, 16)));
    const auto d = SubscriptionToken::parse("AQABAgMEBQYHCAkKCwwNDgA");  // last byte 0x00 instead of 0x0f
    REQUIRE(c);
    REQUIRE(d);
    CHECK(c->dhtKey() != d->dhtKey());
}

TEST_CASE("an inbox token is 44 characters of version 2, the inbox id and 16 random bytes", "[crypto][token]") {
    const Bytes inbox(dhtpush::crypto::INBOX_ID_BYTES, 0xab);
    const auto token = SubscriptionToken::generateInInbox(inbox);
    REQUIRE(token);
    CHECK(token->text().size() == 44);
    CHECK(token->version() == 2);
    const auto raw = base64urlDecode(token->text());
    REQUIRE(raw);
    CHECK(Bytes(raw->begin() + 1, raw->begin() + 17) == inbox);
    const auto parsed = SubscriptionToken::parse(token->text());
    REQUIRE(parsed);
    CHECK(*parsed == *token);
    CHECK_FALSE(SubscriptionToken::generateInInbox(Bytes(15, 1)));
    CHECK_FALSE(SubscriptionToken::generateInInbox(Bytes(17, 1)));
}

TEST_CASE("tokens of one inbox share the DHT key and differ in their recipient id", "[crypto][token]") {
    const Bytes inbox(dhtpush::crypto::INBOX_ID_BYTES, 7);
    const auto a = SubscriptionToken::generateInInbox(inbox);
    const auto b = SubscriptionToken::generateInInbox(inbox);
    const auto other = SubscriptionToken::generateInInbox(Bytes(dhtpush::crypto::INBOX_ID_BYTES, 8));
    REQUIRE((a && b && other));
    CHECK(a->dhtKey() == b->dhtKey());
    CHECK(a->dhtKey() != other->dhtKey());
    CHECK(a->recipient().size() == dhtpush::crypto::RECIPIENT_BYTES);
    CHECK(a->recipient() != b->recipient());
    CHECK(SubscriptionToken::generate().recipient().empty());  // version 1 has a key of its own
}

TEST_CASE("an inbox token's key and recipient id are domain-separated SHA-256 digests", "[crypto][token]") {
    // python3: tok = bytes([2]) + bytes(range(32))
    //   hashlib.sha256(b'dhtpush/v2/inbox-key' + bytes(range(16))).hexdigest()[:40]
    //   hashlib.sha256(b'dhtpush/v2/recipient' + tok).hexdigest()[:32]
    const auto token = SubscriptionToken::parse("AgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f");
    REQUIRE(token);
    const dhtpush::crypto::DhtKey key{0x61, 0x7b, 0x29, 0xe3, 0x64, 0x7f, 0x0b, 0x24, 0xd3, 0x3b,
                                      0xb7, 0x38, 0xeb, 0x58, 0x8d, 0x5b, 0x3f, 0x9a, 0x95, 0x75};
    CHECK(token->dhtKey() == key);
    const Bytes recipient{0xf4, 0x85, 0xd3, 0xc6, 0x3e, 0xb2, 0xf9, 0xe9,
                          0x17, 0x6b, 0x66, 0xe9, 0xba, 0xc6, 0xf5, 0x07};
    CHECK(token->recipient() == recipient);
}

TEST_CASE("a bound token is 66 characters: an inbox token plus a commitment to the key", "[crypto][token]") {
    const Bytes inbox(dhtpush::crypto::INBOX_ID_BYTES, 0xab);
    const Bytes key(65, 0x04), otherKey(65, 0x05);
    const auto token = SubscriptionToken::generateBound(inbox, key);
    REQUIRE(token);
    CHECK(token->text().size() == 66);
    CHECK(token->version() == 3);
    CHECK(token->inInbox());
    CHECK(token->dhtKey() == SubscriptionToken::generateInInbox(inbox)->dhtKey());
    CHECK(token->recipient().size() == 16);
    CHECK(token->boundKeyCommitment() == SubscriptionToken::keyCommitment(key));
    CHECK(token->boundKeyCommitment() != SubscriptionToken::keyCommitment(otherKey));
    const auto parsed = SubscriptionToken::parse(token->text());
    REQUIRE(parsed);
    CHECK(*parsed == *token);
    CHECK(SubscriptionToken::generateInInbox(inbox)->boundKeyCommitment().empty());
    CHECK_FALSE(SubscriptionToken::generateBound(inbox, Bytes(64, 4)));
    CHECK_FALSE(SubscriptionToken::generateBound(Bytes(15, 1), key));
    // A version-3 token one byte short is no token.
    auto raw = *base64urlDecode(token->text());
    raw.pop_back();
    CHECK_FALSE(SubscriptionToken::parse(base64urlEncode(raw)));
}
