#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/random.h"

#include <string>

#include <catch2/catch.hpp>

using dhtpush::crypto::Bytes;
using dhtpush::crypto::constantTimeEqual;
using dhtpush::crypto::sha256;
using dhtpush::crypto::wipe;

namespace {

std::string hex(const Bytes& bytes) {
    static constexpr char DIGITS[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out += DIGITS[b >> 4];
        out += DIGITS[b & 0xf];
    }
    return out;
}

}  // namespace

TEST_CASE("constantTimeEqual is true for equal strings", "[crypto][secret]") {
    CHECK(constantTimeEqual("secret", "secret"));
    const std::string longText(1000, 'x');
    CHECK(constantTimeEqual(longText, std::string(1000, 'x')));
    CHECK(constantTimeEqual(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST_CASE("constantTimeEqual is false for different strings of the same length", "[crypto][secret]") {
    CHECK_FALSE(constantTimeEqual("secret", "secreT"));
    CHECK_FALSE(constantTimeEqual("secret", "Secret"));
    CHECK_FALSE(constantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("constantTimeEqual is false for different lengths", "[crypto][secret]") {
    CHECK_FALSE(constantTimeEqual("secret", "secret2"));
    CHECK_FALSE(constantTimeEqual("secret", "secre"));
    CHECK_FALSE(constantTimeEqual("", "x"));
    CHECK_FALSE(constantTimeEqual("x", ""));
}

TEST_CASE("constantTimeEqual is true for two empty strings", "[crypto][secret]") {
    CHECK(constantTimeEqual("", ""));
    CHECK(constantTimeEqual(std::string_view(), std::string_view()));
}

TEST_CASE("sha256 matches the FIPS 180-2 test vectors", "[crypto][secret]") {
    CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256("abc").size() == 32);
}

TEST_CASE("wipe zeroes and empties a string secret", "[crypto][secret]") {
    std::string secret(100, 's');  // long enough to live on the heap
    const char* buffer = secret.data();
    wipe(secret);
    CHECK(secret.empty());
    // clear() keeps the allocation: the old bytes must be gone from it.
    REQUIRE(secret.data() == buffer);
    bool allZero = true;
    for (std::size_t i = 0; i < 100; ++i) allZero = allZero && buffer[i] == '\0';
    CHECK(allZero);
}

TEST_CASE("wipe empties a byte secret", "[crypto][secret]") {
    Bytes secret(64, 0xaa);
    wipe(secret);
    CHECK(secret.empty());
    Bytes empty;
    wipe(empty);
    CHECK(empty.empty());
    std::string emptyText;
    wipe(emptyText);
    CHECK(emptyText.empty());
}

TEST_CASE("randomUint64 draws differ and use all 64 bits", "[crypto][random]") {
    std::uint64_t seenHigh = 0, seenLow = 0, previous = dhtpush::crypto::randomUint64();
    for (int i = 0; i < 64; ++i) {
        const auto value = dhtpush::crypto::randomUint64();
        CHECK(value != previous);
        seenHigh |= value >> 32;
        seenLow |= value & 0xffffffffu;
        previous = value;
    }
    // 64 draws leave a bit unset with probability 2^-64 each: all bits show up.
    CHECK(seenHigh == 0xffffffffu);
    CHECK(seenLow == 0xffffffffu);
}
