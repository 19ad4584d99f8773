#include "dhtpush/crypto/ece.h"

#include <nettle/gcm.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dhtpush/crypto/base64url.h"
#include "test_bytes.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::base64urlDecode;
using dhtpush::crypto::base64urlEncode;
using dhtpush::crypto::Bytes;
using dhtpush::crypto::toBytes;
using dhtpush::crypto::toString;
using dhtpush::test::b64;
namespace ece = dhtpush::crypto::ece;

namespace {

// RFC 8188 §3.1.
const std::string RFC_31_KEY = "yqdlZ-tYemfogSmv7Ws5PQ";
const std::string RFC_31_SALT = "I1BsxtFttlv3u_Oo94xnmw";
const std::string RFC_31_BODY = "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg";
// The CEK and NONCE that §3.1 publishes for that key and salt.
const std::string RFC_31_CEK = "_wniytB-ofscZDh4tbSjHw";
const std::string RFC_31_NONCE = "Bcs8gkIRKLI8GeI8";
// RFC 8188 §3.2.
const std::string RFC_32_KEY = "BO3ZVPxUlnLORbVGMpbT1Q";
const std::string RFC_32_BODY =
    "uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA";

// Builds a body with hand-made record plaintexts (delimiters included), sealed with the
// CEK/NONCE published in RFC 8188 §3.1: bodies that ece::encrypt would never produce.
Bytes sealRecords(const std::vector<Bytes>& records, std::uint32_t rs) {
    Bytes body = b64(RFC_31_SALT);
    for (int shift = 24; shift >= 0; shift -= 8) body.push_back(static_cast<std::uint8_t>(rs >> shift));
    body.push_back(0);
    const Bytes cek = b64(RFC_31_CEK);
    const Bytes nonce = b64(RFC_31_NONCE);
    std::uint8_t seq = 0;
    for (const auto& plain : records) {
        Bytes iv = nonce;
        iv[11] ^= seq++;
        gcm_aes128_ctx ctx;
        gcm_aes128_set_key(&ctx, cek.data());
        gcm_aes128_set_iv(&ctx, iv.size(), iv.data());
        const std::size_t at = body.size();
        body.resize(at + plain.size() + 16);
        gcm_aes128_encrypt(&ctx, plain.size(), body.data() + at, plain.data());
        gcm_aes128_digest(&ctx, 16, body.data() + at + plain.size());
    }
    return body;
}

Bytes rec(const std::string& text) { return toBytes(text); }

}  // namespace

TEST_CASE("RFC 8188 3.1: single record, encrypt byte for byte", "[crypto][ece]") {
    const auto body = ece::encrypt(toBytes("I am the walrus"), b64(RFC_31_KEY), b64(RFC_31_SALT), 4096, {});
    REQUIRE(body.ok());
    CHECK(base64urlEncode(*body) == RFC_31_BODY);
}

TEST_CASE("RFC 8188 3.1: decrypt the published body", "[crypto][ece]") {
    const auto plain = ece::decrypt(b64(RFC_31_BODY), b64(RFC_31_KEY));
    REQUIRE(plain.ok());
    CHECK(toString(*plain) == "I am the walrus");
}

TEST_CASE("RFC 8188 3.1: the published CEK and NONCE seal records that decrypt", "[crypto][ece]") {
    // Checks the HKDF derivation on its own: the records below are sealed with the RFC's values.
    const auto plain = ece::decrypt(sealRecords({rec("I am the walrus\x02")}, 4096), b64(RFC_31_KEY));
    REQUIRE(plain.ok());
    CHECK(toString(*plain) == "I am the walrus");
}

TEST_CASE("RFC 8188 3.2: multi-record body with key id and padding decrypts", "[crypto][ece]") {
    const Bytes body = b64(RFC_32_BODY);
    const auto header = ece::parseHeader(body);
    REQUIRE(header.ok());
    CHECK(header->recordSize == 25);
    CHECK(toString(header->keyId) == "a1");
    CHECK(header->length == 23);
    CHECK(body.size() == 23 + 25 + 25);

    const auto plain = ece::decrypt(body, b64(RFC_32_KEY));
    REQUIRE(plain.ok());
    CHECK(toString(*plain) == "I am the walrus");
}

TEST_CASE("RFC 8188 3.2: encrypt with one byte of padding byte for byte", "[crypto][ece]") {
    const Bytes published = b64(RFC_32_BODY);
    const Bytes salt(published.begin(), published.begin() + 16);
    const auto body = ece::encrypt(toBytes("I am the walrus"), b64(RFC_32_KEY), salt, 25, toBytes("a1"), 1);
    REQUIRE(body.ok());
    CHECK(base64urlEncode(*body) == RFC_32_BODY);
}

TEST_CASE("parseHeader reads salt, rs, key id and length", "[crypto][ece]") {
    const auto header = ece::parseHeader(b64(RFC_31_BODY));
    REQUIRE(header.ok());
    CHECK(header->salt == b64(RFC_31_SALT));
    CHECK(header->recordSize == 4096);
    CHECK(header->keyId.empty());
    CHECK(header->length == 21);
}

TEST_CASE("round trips over sizes, record sizes and padding", "[crypto][ece]") {
    const Bytes ikm = toBytes("0123456789abcdef0123456789abcdef");
    const Bytes salt = toBytes("saltsaltsaltsalt");
    for (const std::uint32_t rs : {18u, 19u, 25u, 100u, 4096u}) {
        for (const std::size_t size : {0, 1, 2, 15, 16, 17, 81, 82, 83, 500, 4079, 4080, 9000}) {
            for (const std::size_t padding : {0, 1, 7, 83, 300}) {
                Bytes plain(size);
                for (std::size_t i = 0; i < size; ++i) plain[i] = static_cast<std::uint8_t>(i * 31 + rs);
                const auto body = ece::encrypt(plain, ikm, salt, rs, toBytes("id"), padding);
                REQUIRE(body.ok());
                const std::size_t capacity = rs - 17;
                const std::size_t total = size + padding;
                const std::size_t records = total == 0 ? 1 : (total + capacity - 1) / capacity;
                REQUIRE(body->size() == 23 + total + 17 * records);
                const auto back = ece::decrypt(*body, ikm);
                REQUIRE(back.ok());
                REQUIRE(*back == plain);
            }
        }
    }
}

TEST_CASE("encrypt rejects bad parameters", "[crypto][ece]") {
    const Bytes ikm(16, 1), salt(16, 2), plain = toBytes("x");
    CHECK(ece::encrypt(plain, {}, salt, 4096, {}).error().code == Errc::Invalid);
    CHECK(ece::encrypt(plain, ikm, Bytes(15, 2), 4096, {}).error().code == Errc::Invalid);
    CHECK(ece::encrypt(plain, ikm, salt, 17, {}).error().code == Errc::Invalid);
    CHECK(ece::encrypt(plain, ikm, salt, 4096, Bytes(256, 3)).error().code == Errc::Invalid);
    CHECK(ece::encrypt(plain, ikm, salt, 4096, {}, ece::MAX_CONTENT_SIZE).error().code == Errc::TooLarge);
    CHECK(ece::encrypt(plain, ikm, salt, 4096, Bytes(255, 3)).ok());
}

TEST_CASE("malformed headers are rejected", "[crypto][ece]") {
    const Bytes key = b64(RFC_31_KEY);
    const Bytes body = b64(RFC_31_BODY);

    SECTION("empty body") {
        CHECK(ece::parseHeader({}).error().code == Errc::Malformed);
        CHECK(ece::decrypt({}, key).error().code == Errc::Malformed);
    }
    SECTION("short header") {
        const Bytes shortHeader(body.begin(), body.begin() + 20);
        CHECK(ece::decrypt(shortHeader, key).error().code == Errc::Malformed);
    }
    SECTION("key id longer than the body") {
        // Built in one go: GCC 12 at -O2 misreads a push_back here as out of bounds.
        Bytes b(body.begin(), body.begin() + 22);
        b[20] = 5;
        b[21] = 'a';
        CHECK(ece::parseHeader(b).error().code == Errc::Malformed);
    }
    SECTION("header and no record") {
        const Bytes headerOnly(body.begin(), body.begin() + 21);
        CHECK(ece::decrypt(headerOnly, key).error().code == Errc::Malformed);
    }
    SECTION("rs below 18") {
        for (const std::uint8_t rs : {0, 1, 16, 17}) {
            Bytes b = body;
            b[16] = b[17] = b[18] = 0;
            b[19] = rs;
            CHECK(ece::parseHeader(b).error().code == Errc::Invalid);
            CHECK(ece::decrypt(b, key).error().code == Errc::Invalid);
        }
        Bytes b = body;
        b[16] = b[17] = b[18] = 0;
        b[19] = 18;
        CHECK(ece::parseHeader(b).ok());
    }
    SECTION("empty key") { CHECK(ece::decrypt(body, {}).error().code == Errc::Invalid); }
}

TEST_CASE("records with a truncated tag are malformed", "[crypto][ece]") {
    const Bytes body = b64(RFC_31_BODY);
    for (const std::size_t keep : {1, 10, 15, 16}) {
        const Bytes cut(body.begin(), body.begin() + 21 + static_cast<std::ptrdiff_t>(keep));
        const auto r = ece::decrypt(cut, b64(RFC_31_KEY));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::Malformed);
    }
    // 17 bytes hold a tag and one byte: it no longer authenticates.
    const Bytes cut(body.begin(), body.begin() + 21 + 17);
    CHECK(ece::decrypt(cut, b64(RFC_31_KEY)).error().code == Errc::Forbidden);
}

TEST_CASE("authentication failures are Forbidden", "[crypto][ece]") {
    const Bytes key = b64(RFC_31_KEY);
    const Bytes body = b64(RFC_31_BODY);
    SECTION("tampered tag") {
        Bytes b = body;
        b.back() ^= 0x01;
        CHECK(ece::decrypt(b, key).error().code == Errc::Forbidden);
    }
    SECTION("tampered ciphertext") {
        Bytes b = body;
        b[21] ^= 0x80;
        CHECK(ece::decrypt(b, key).error().code == Errc::Forbidden);
    }
    SECTION("tampered salt") {
        Bytes b = body;
        b[0] ^= 0x01;
        CHECK(ece::decrypt(b, key).error().code == Errc::Forbidden);
    }
    SECTION("wrong key") {
        Bytes wrong = key;
        wrong[3] ^= 0x01;
        CHECK(ece::decrypt(body, wrong).error().code == Errc::Forbidden);
    }
    SECTION("records swapped") {
        Bytes b = b64(RFC_32_BODY);
        Bytes swapped(b.begin(), b.begin() + 23);
        swapped.insert(swapped.end(), b.begin() + 48, b.end());
        swapped.insert(swapped.end(), b.begin() + 23, b.begin() + 48);
        CHECK(ece::decrypt(swapped, b64(RFC_32_KEY)).error().code == Errc::Forbidden);
    }
    SECTION("error detail carries no key material") {
        Bytes b = body;
        b.back() ^= 0x01;
        const auto r = ece::decrypt(b, key);
        CHECK(r.error().detail.find(RFC_31_KEY) == std::string::npos);
        CHECK(r.error().detail.find("walrus") == std::string::npos);
    }
}

TEST_CASE("hand-sealed records: the helper makes valid bodies", "[crypto][ece]") {
    const auto plain = ece::decrypt(sealRecords({rec("abc\x01"), rec(std::string("de\x02\0", 4))}, 20), b64(RFC_31_KEY));
    REQUIRE(plain.ok());
    CHECK(toString(*plain) == "abcde");
    // A record made only of padding is valid, also the last.
    const auto padOnly =
        ece::decrypt(sealRecords({rec(std::string("\x01\0", 2)), rec(std::string("\x02\0", 2))}, 18), b64(RFC_31_KEY));
    REQUIRE(padOnly.ok());
    CHECK(padOnly->empty());
}

TEST_CASE("bad padding and record order are malformed", "[crypto][ece]") {
    const Bytes key = b64(RFC_31_KEY);
    const auto code = [&](const std::vector<Bytes>& records, std::uint32_t rs) {
        const auto r = ece::decrypt(sealRecords(records, rs), key);
        REQUIRE_FALSE(r.ok());
        return r.error().code;
    };
    SECTION("missing delimiter: all zeros") { CHECK(code({rec(std::string(3, '\0'))}, 4096) == Errc::Malformed); }
    SECTION("missing delimiter: data then zeros") {
        CHECK(code({rec(std::string("abc\0\0", 5))}, 4096) == Errc::Malformed);
    }
    SECTION("unknown delimiter") { CHECK(code({rec("abc\x03")}, 4096) == Errc::Malformed); }
    SECTION("non-zero padding after the delimiter") {
        CHECK(code({rec(std::string("abc\x02\0\x07", 6))}, 4096) == Errc::Malformed);
    }
    SECTION("last record announces more (truncated body)") { CHECK(code({rec("abc\x01")}, 4096) == Errc::Malformed); }
    SECTION("a record after the last one") {
        CHECK(code({rec("abc\x02"), rec("de\x02")}, 20) == Errc::Malformed);
    }
    SECTION("a body cut on a record boundary") {
        const auto body = ece::encrypt(toBytes("I am the walrus, goo goo g'joob"), key, b64(RFC_31_SALT), 25, {});
        REQUIRE(body.ok());
        REQUIRE(body->size() > 21 + 25);
        const Bytes cut(body->begin(), body->begin() + 21 + 25);
        CHECK(ece::decrypt(cut, key).error().code == Errc::Malformed);
    }
    SECTION("a valid record appended after the last one") {
        const Bytes b = sealRecords({rec("ab\x02"), rec("cd\x02")}, 19);
        CHECK(ece::decrypt(b, key).error().code == Errc::Malformed);
    }
}

TEST_CASE("mutated bodies never crash and never decrypt to other plaintext", "[crypto][ece][fuzz]") {
    struct Sample {
        Bytes body;
        Bytes key;
        std::string plain;
    };
    const Bytes key = b64(RFC_31_KEY);
    const auto multi = ece::encrypt(toBytes("a longer message that spans several records"), key,
                                    b64(RFC_31_SALT), 20, toBytes("kid"), 5);
    REQUIRE(multi.ok());
    const std::vector<Sample> samples{
        {b64(RFC_31_BODY), key, "I am the walrus"},
        {b64(RFC_32_BODY), b64(RFC_32_KEY), "I am the walrus"},
        {*multi, key, "a longer message that spans several records"},
    };
    std::mt19937 rng(20240531);  // fixed seed: the same inputs on every run
    const auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    int errors = 0;
    for (int i = 0; i < 5000; ++i) {
        const auto& sample = samples[pick(samples.size())];
        Bytes b = sample.body;
        const int mutations = 1 + static_cast<int>(pick(4));
        for (int m = 0; m < mutations; ++m) {
            switch (pick(6)) {
                case 0: if (!b.empty()) b[pick(b.size())] ^= static_cast<std::uint8_t>(1u << pick(8)); break;
                case 1: if (!b.empty()) b[pick(b.size())] = static_cast<std::uint8_t>(rng()); break;
                case 2: b.resize(pick(b.size() + 1)); break;
                case 3: b.insert(b.begin() + static_cast<std::ptrdiff_t>(pick(b.size() + 1)), static_cast<std::uint8_t>(rng())); break;
                case 4: if (!b.empty()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(pick(b.size()))); break;
                default: if (b.size() > 20) b[16 + pick(4)] = static_cast<std::uint8_t>(rng()); break;  // rs
            }
        }
        dhtpush::Expected<Bytes> r = Bytes{};
        REQUIRE_NOTHROW(r = ece::decrypt(b, sample.key));
        REQUIRE_NOTHROW(ece::parseHeader(b));
        if (r.ok()) {
            // Only the key id is unauthenticated: a body that still decrypts gives the original.
            REQUIRE(toString(*r) == sample.plain);
        } else {
            ++errors;
        }
    }
    CHECK(errors > 4500);
}
