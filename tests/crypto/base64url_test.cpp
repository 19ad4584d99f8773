#include "dhtpush/crypto/base64url.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

using dhtpush::crypto::Bytes;
using dhtpush::crypto::base64urlDecode;
using dhtpush::crypto::base64urlEncode;
using dhtpush::crypto::toBytes;

TEST_CASE("base64url encodes the RFC 4648 test vectors without padding", "[crypto][base64url]") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        CAPTURE(plain);
        CHECK(base64urlEncode(plain) == encoded);
        const auto decoded = base64urlDecode(encoded);
        REQUIRE(decoded);
        CHECK(*decoded == toBytes(plain));
    }
}

TEST_CASE("base64url uses '-' and '_' where standard base64 uses '+' and '/'", "[crypto][base64url]") {
    // Standard base64: fb ff bf -> "+/+/", ff ff ff -> "////", fb ff -> "+/8=".
    CHECK(base64urlEncode(Bytes{0xfb, 0xff, 0xbf}) == "-_-_");
    CHECK(base64urlEncode(Bytes{0xff, 0xff, 0xff}) == "____");
    CHECK(base64urlEncode(Bytes{0xfb, 0xff}) == "-_8");
    CHECK(base64urlDecode("-_-_") == Bytes{0xfb, 0xff, 0xbf});
    CHECK(base64urlDecode("____") == Bytes{0xff, 0xff, 0xff});
    CHECK(base64urlDecode("-_8") == Bytes{0xfb, 0xff});
}

TEST_CASE("base64url round-trips random bytes of every length from 0 to 64", "[crypto][base64url]") {
    std::mt19937 rng(20240601);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t length = 0; length <= 64; ++length) {
        for (int round = 0; round < 8; ++round) {
            Bytes data(length);
            for (auto& b : data) b = static_cast<std::uint8_t>(byte(rng));
            const auto text = base64urlEncode(data);
            CAPTURE(length, text);
            // No padding: 4 characters per 3 bytes, 2 or 3 for the remainder.
            REQUIRE(text.size() == (length * 4 + 2) / 3);
            REQUIRE(text.find_first_not_of(
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
            const auto decoded = base64urlDecode(text);
            REQUIRE(decoded);
            REQUIRE(*decoded == data);
        }
    }
}

TEST_CASE("base64url decoding rejects padding", "[crypto][base64url]") {
    CHECK_FALSE(base64urlDecode("Zg=="));
    CHECK_FALSE(base64urlDecode("Zm8="));
    CHECK_FALSE(base64urlDecode("Zm9v===="));
    CHECK_FALSE(base64urlDecode("===="));
}

TEST_CASE("base64url decoding rejects the standard alphabet's '+' and '/'", "[crypto][base64url]") {
    CHECK_FALSE(base64urlDecode("+/+/"));
    CHECK_FALSE(base64urlDecode("Zm+v"));
    CHECK_FALSE(base64urlDecode("Zm/v"));
}

TEST_CASE("base64url decoding rejects whitespace and other characters", "[crypto][base64url]") {
    for (const char* text : {"Zm9v ", " Zm9v", "Zm 9v", "Zm9v\n", "Zm\r\n9v", "Zm\t9v", "Zm.v", "Zm9v!", "Zm\x80v"}) {
        CAPTURE(text);
        CHECK_FALSE(base64urlDecode(text));
    }
    CHECK_FALSE(base64urlDecode(std::string("Zm\0v", 4)));
}

TEST_CASE("base64url decoding rejects a length of 1 mod 4", "[crypto][base64url]") {
    for (const char* text : {"A", "AAAAA", "Zm9vY", "Zm9vYmFyA"}) {
        CAPTURE(text);
        CHECK_FALSE(base64urlDecode(text));
    }
}

TEST_CASE("base64url decoding rejects non-zero trailing bits", "[crypto][base64url]") {
    // "Zg" is 'f'; "Zh".."Zv" differ only in the 4 bits that do not make a byte.
    CHECK(base64urlDecode("Zg"));
    for (const char* text : {"Zh", "Zi", "Zj", "Zx", "Zm9", "Zm-", "Zm9vYmF", "Zm9vYh"}) {
        CAPTURE(text);
        CHECK_FALSE(base64urlDecode(text));
    }
}

TEST_CASE("base64url decodes the empty text to no bytes", "[crypto][base64url]") {
    const auto decoded = base64urlDecode("");
    REQUIRE(decoded);
    CHECK(decoded->empty());
}
