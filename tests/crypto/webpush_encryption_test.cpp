#include "dhtpush/crypto/webpush_encryption.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dhtpush/crypto/base64url.h"
#include "test_bytes.h"
#include "dhtpush/crypto/ece.h"
#include "dhtpush/crypto/subscription_keys.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::base64urlDecode;
using dhtpush::crypto::base64urlEncode;
using dhtpush::crypto::Bytes;
using dhtpush::crypto::generateSubscriptionKeys;
using dhtpush::crypto::toBytes;
using dhtpush::crypto::toString;
using dhtpush::test::b64;
using dhtpush::crypto::webpushDecrypt;
using dhtpush::crypto::webpushEncrypt;
using dhtpush::crypto::webpushEncryptWith;
using dhtpush::crypto::WEBPUSH_MAX_PLAINTEXT_SIZE;
namespace ece = dhtpush::crypto::ece;

namespace {

// RFC 8291 Appendix A.
const std::string PLAINTEXT = "When I grow up, I want to be a watermelon";
const std::string AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
const std::string AS_PUBLIC =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
const std::string UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
const std::string UA_PUBLIC =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const std::string AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
const std::string SALT = "DGv6ra1nlYgDCS1FRnbzlw";
const std::string BODY =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";
// Appendix A also lists the IKM: the aes128gcm layer alone must accept it.
const std::string IKM = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg";

}  // namespace

TEST_CASE("RFC 8291 Appendix A: encrypt byte for byte", "[crypto][webpush]") {
    const auto body = webpushEncryptWith(toBytes(PLAINTEXT), UA_PUBLIC, AUTH, AS_PRIVATE, b64(SALT));
    REQUIRE(body.ok());
    CHECK(base64urlEncode(*body) == BODY);
}

TEST_CASE("RFC 8291 Appendix A: the body's key id is the app server's public key", "[crypto][webpush]") {
    const auto header = ece::parseHeader(b64(BODY));
    REQUIRE(header.ok());
    CHECK(base64urlEncode(header->keyId) == AS_PUBLIC);
    CHECK(header->recordSize == 4096);
    CHECK(base64urlEncode(header->salt) == SALT);
}

TEST_CASE("RFC 8291 Appendix A: decrypt with the user agent's keys", "[crypto][webpush]") {
    const auto plain = webpushDecrypt(b64(BODY), UA_PUBLIC, UA_PRIVATE, AUTH);
    REQUIRE(plain.ok());
    CHECK(toString(*plain) == PLAINTEXT);
}

TEST_CASE("RFC 8291 Appendix A: the published IKM decrypts the body", "[crypto][webpush]") {
    const auto plain = ece::decrypt(b64(BODY), b64(IKM));
    REQUIRE(plain.ok());
    CHECK(toString(*plain) == PLAINTEXT);
}

TEST_CASE("round trips with fresh keys for sizes 0..3993", "[crypto][webpush]") {
    const auto keys = generateSubscriptionKeys();
    REQUIRE(keys.ok());
    std::vector<std::size_t> sizes;
    for (std::size_t n = 0; n <= 20; ++n) sizes.push_back(n);
    for (std::size_t n = 21; n < 3990; n += 97) sizes.push_back(n);
    for (std::size_t n = 3990; n <= WEBPUSH_MAX_PLAINTEXT_SIZE; ++n) sizes.push_back(n);
    for (const auto size : sizes) {
        Bytes plain(size);
        for (std::size_t i = 0; i < size; ++i) plain[i] = static_cast<std::uint8_t>(i ^ size);
        const auto body = webpushEncrypt(plain, keys->p256dh, keys->auth);
        REQUIRE(body.ok());
        REQUIRE(body->size() == 86 + size + 17);
        REQUIRE(body->size() <= 4096);
        const auto back = webpushDecrypt(*body, keys->p256dh, keys->privateKey, keys->auth);
        REQUIRE(back.ok());
        REQUIRE(*back == plain);
    }
}

TEST_CASE("round trips with padding up to the limit", "[crypto][webpush]") {
    const auto keys = generateSubscriptionKeys();
    REQUIRE(keys.ok());
    for (const std::size_t padding : {1, 100, 3000, 3993 - 5}) {
        const auto body = webpushEncrypt(toBytes("hello"), keys->p256dh, keys->auth, padding);
        REQUIRE(body.ok());
        CHECK(body->size() == 86 + 5 + padding + 17);
        const auto back = webpushDecrypt(*body, keys->p256dh, keys->privateKey, keys->auth);
        REQUIRE(back.ok());
        CHECK(toString(*back) == "hello");
    }
}

TEST_CASE("each encryption uses a fresh key and salt", "[crypto][webpush]") {
    const auto a = webpushEncrypt(toBytes("x"), UA_PUBLIC, AUTH);
    const auto b = webpushEncrypt(toBytes("x"), UA_PUBLIC, AUTH);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    const auto ha = ece::parseHeader(*a), hb = ece::parseHeader(*b);
    REQUIRE(ha.ok());
    REQUIRE(hb.ok());
    CHECK(ha->salt != hb->salt);
    CHECK(ha->keyId != hb->keyId);
    CHECK(ha->keyId.size() == 65);
}

TEST_CASE("encrypt rejects over-long messages", "[crypto][webpush]") {
    CHECK(webpushEncrypt(Bytes(3994), UA_PUBLIC, AUTH).error().code == Errc::TooLarge);
    CHECK(webpushEncrypt(Bytes(3990), UA_PUBLIC, AUTH, 4).error().code == Errc::TooLarge);
    CHECK(webpushEncrypt(Bytes(3990), UA_PUBLIC, AUTH, 3).ok());
}

TEST_CASE("encrypt rejects bad keys, secrets and salts", "[crypto][webpush]") {
    const Bytes plain = toBytes("x");
    const Bytes salt = b64(SALT);
    Bytes offCurve = b64(UA_PUBLIC);
    offCurve.back() ^= 0x01;
    Bytes compressed = b64(UA_PUBLIC);
    compressed[0] = 0x02;
    const std::string zero = base64urlEncode(Bytes(32, 0));
    const std::string overOrder = base64urlEncode(Bytes(32, 0xff));

    CHECK(webpushEncrypt(plain, "not base64!", AUTH).error().code == Errc::Invalid);
    CHECK(webpushEncrypt(plain, UA_PUBLIC.substr(0, 43), AUTH).error().code == Errc::Invalid);
    CHECK(webpushEncrypt(plain, base64urlEncode(offCurve), AUTH).error().code == Errc::Invalid);
    CHECK(webpushEncrypt(plain, base64urlEncode(compressed), AUTH).error().code == Errc::Invalid);
    CHECK(webpushEncrypt(plain, UA_PUBLIC, "").error().code == Errc::Invalid);
    CHECK(webpushEncrypt(plain, UA_PUBLIC, base64urlEncode(Bytes(15, 1))).error().code == Errc::Invalid);
    CHECK(webpushEncryptWith(plain, UA_PUBLIC, AUTH, zero, salt).error().code == Errc::Invalid);
    CHECK(webpushEncryptWith(plain, UA_PUBLIC, AUTH, overOrder, salt).error().code == Errc::Invalid);
    CHECK(webpushEncryptWith(plain, UA_PUBLIC, AUTH, AS_PRIVATE.substr(0, 40), salt).error().code == Errc::Invalid);
    CHECK(webpushEncryptWith(plain, UA_PUBLIC, AUTH, AS_PRIVATE, Bytes(15)).error().code == Errc::Invalid);

    const auto r = webpushEncryptWith(plain, UA_PUBLIC, AUTH, AS_PRIVATE.substr(0, 40), salt);
    CHECK(r.error().detail.find(AS_PRIVATE.substr(0, 40)) == std::string::npos);
}

TEST_CASE("decrypt rejects bad bodies and keys", "[crypto][webpush]") {
    const Bytes body = b64(BODY);
    const auto code = [](const Bytes& b, const std::string& pub, const std::string& priv, const std::string& auth) {
        const auto r = webpushDecrypt(b, pub, priv, auth);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail.find(UA_PRIVATE) == std::string::npos);
        return r.error().code;
    };
    SECTION("empty and short bodies") {
        CHECK(code({}, UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Malformed);
        CHECK(code(Bytes(body.begin(), body.begin() + 40), UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Malformed);
        CHECK(code(Bytes(body.begin(), body.begin() + 86), UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Malformed);
        CHECK(code(Bytes(body.begin(), body.begin() + 86 + 16), UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Malformed);
    }
    SECTION("key id is not a 65-byte uncompressed point") {
        const Bytes ikm = b64(IKM);
        const auto shortId = ece::encrypt(toBytes(PLAINTEXT), ikm, b64(SALT), 4096, toBytes("a1"));
        REQUIRE(shortId.ok());
        CHECK(code(*shortId, UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Malformed);
        Bytes prefix = b64(AS_PUBLIC);
        prefix[0] = 0x05;
        const auto badPrefix = ece::encrypt(toBytes(PLAINTEXT), ikm, b64(SALT), 4096, prefix);
        REQUIRE(badPrefix.ok());
        CHECK(code(*badPrefix, UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Malformed);
        Bytes offCurve = b64(AS_PUBLIC);
        offCurve[40] ^= 0x01;
        const auto notOnCurve = ece::encrypt(toBytes(PLAINTEXT), ikm, b64(SALT), 4096, offCurve);
        REQUIRE(notOnCurve.ok());
        CHECK(code(*notOnCurve, UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Invalid);
    }
    SECTION("tampering and wrong secrets fail authentication") {
        Bytes tampered = body;
        tampered[90] ^= 0x01;
        CHECK(code(tampered, UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Forbidden);
        Bytes tag = body;
        tag.back() ^= 0x01;
        CHECK(code(tag, UA_PUBLIC, UA_PRIVATE, AUTH) == Errc::Forbidden);
        CHECK(code(body, UA_PUBLIC, UA_PRIVATE, base64urlEncode(Bytes(16, 7))) == Errc::Forbidden);
        const auto other = generateSubscriptionKeys();
        REQUIRE(other.ok());
        CHECK(code(body, UA_PUBLIC, other->privateKey, AUTH) == Errc::Forbidden);
        CHECK(code(body, other->p256dh, UA_PRIVATE, AUTH) == Errc::Forbidden);
    }
    SECTION("bad device keys") {
        CHECK(code(body, "", UA_PRIVATE, AUTH) == Errc::Invalid);
        CHECK(code(body, UA_PUBLIC, "", AUTH) == Errc::Invalid);
        CHECK(code(body, UA_PUBLIC, base64urlEncode(Bytes(32, 0)), AUTH) == Errc::Invalid);
        CHECK(code(body, UA_PUBLIC, UA_PRIVATE, "") == Errc::Invalid);
        CHECK(code(body, UA_PUBLIC, UA_PRIVATE + "A", AUTH) == Errc::Invalid);
    }
}

TEST_CASE("mutated webpush bodies never crash and never decrypt to other plaintext", "[crypto][webpush][fuzz]") {
    const Bytes body = b64(BODY);
    std::mt19937 rng(8291);
    const auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    int errors = 0;
    for (int i = 0; i < 1000; ++i) {
        Bytes b = body;
        switch (pick(4)) {
            case 0: b[pick(b.size())] ^= static_cast<std::uint8_t>(1u << pick(8)); break;
            case 1: b.resize(pick(b.size())); break;
            case 2: b[21 + pick(65)] = static_cast<std::uint8_t>(rng()); break;  // the key id
            default: b.insert(b.begin() + static_cast<std::ptrdiff_t>(pick(b.size() + 1)), static_cast<std::uint8_t>(rng()));
        }
        dhtpush::Expected<Bytes> r = Bytes{};
        REQUIRE_NOTHROW(r = webpushDecrypt(b, UA_PUBLIC, UA_PRIVATE, AUTH));
        if (r.ok())
            REQUIRE(toString(*r) == PLAINTEXT);
        else
            ++errors;
    }
    CHECK(errors > 900);
}
