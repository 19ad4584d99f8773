#include "dhtpush/crypto/subscription_keys.h"

#include "dhtpush/crypto/base64url.h"

#include <catch2/catch.hpp>

using dhtpush::crypto::base64urlDecode;
using dhtpush::crypto::generateSubscriptionKeys;

TEST_CASE("p256dh is an uncompressed P-256 point of 65 bytes", "[crypto][keys]") {
    const auto keys = generateSubscriptionKeys();
    REQUIRE(keys.ok());
    const auto point = base64urlDecode(keys->p256dh);
    REQUIRE(point);
    REQUIRE(point->size() == 65);
    CHECK((*point)[0] == 0x04);
}

TEST_CASE("auth is 16 bytes and privateKey 32 bytes of base64url", "[crypto][keys]") {
    const auto keys = generateSubscriptionKeys();
    REQUIRE(keys.ok());
    const auto auth = base64urlDecode(keys->auth);
    const auto scalar = base64urlDecode(keys->privateKey);
    REQUIRE(auth);
    REQUIRE(scalar);
    CHECK(auth->size() == 16);
    CHECK(scalar->size() == 32);
    CHECK(keys->auth.size() == 22);
    CHECK(keys->privateKey.size() == 43);
    CHECK(keys->p256dh.size() == 87);
}

TEST_CASE("two generated key sets differ in every part", "[crypto][keys]") {
    const auto a = generateSubscriptionKeys();
    const auto b = generateSubscriptionKeys();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->p256dh != b->p256dh);
    CHECK(a->privateKey != b->privateKey);
    CHECK(a->auth != b->auth);
}

TEST_CASE("many generated keys all have the fixed sizes (coordinates are left-padded)", "[crypto][keys]") {
    // About 1 in 128 keys has a coordinate with a leading zero byte: 300 rounds cover that case.
    for (int i = 0; i < 300; ++i) {
        const auto keys = generateSubscriptionKeys();
        REQUIRE(keys.ok());
        const auto point = base64urlDecode(keys->p256dh);
        const auto scalar = base64urlDecode(keys->privateKey);
        REQUIRE(point);
        REQUIRE(scalar);
        REQUIRE(point->size() == 65);
        REQUIRE((*point)[0] == 0x04);
        REQUIRE(scalar->size() == 32);
    }
}
