#include "up_validation.h"

#include <catch2/catch.hpp>
#include <string>

#include "dhtpush/crypto/vapid.h"

using namespace dhtpush::device::up;

TEST_CASE("a connector token is 1 to 100 bytes of text", "[device]") {
    CHECK(validToken("3f2c1a9e-7b1d-4c55-9d0e-2a6b8f1c0d42"));
    CHECK(validToken(std::string(100, 'a')));
    CHECK_FALSE(validToken(""));
    CHECK_FALSE(validToken(std::string(101, 'a')));
    CHECK_FALSE(validToken(std::string("a\nb")));
    CHECK_FALSE(validToken(std::string("a\0b", 3)));
    CHECK_FALSE(validToken("\xc0\xaf"));  // an overlong '/'
    CHECK(validToken("caf\xc3\xa9"));
}

TEST_CASE("a service is a well-known bus name", "[device]") {
    CHECK(validServiceName("org.kde.neochat"));
    CHECK(validServiceName("im.example.App_2-x"));
    CHECK_FALSE(validServiceName("neochat"));
    CHECK_FALSE(validServiceName(":1.42"));
    CHECK_FALSE(validServiceName("org..kde"));
    CHECK_FALSE(validServiceName("org.kde."));
    CHECK_FALSE(validServiceName("org.3kde"));
    CHECK_FALSE(validServiceName("org.kde neochat"));
    CHECK_FALSE(validServiceName("a." + std::string(255, 'b')));
}

TEST_CASE("a description is at most 100 bytes of text", "[device]") {
    CHECK(validDescription(""));
    CHECK(validDescription(std::string(100, 'd')));
    CHECK_FALSE(validDescription(std::string(101, 'd')));
    CHECK_FALSE(validDescription("tab\there"));
}

TEST_CASE("a vapid key is a base64url uncompressed P-256 point", "[device]") {
    const auto keys = dhtpush::crypto::generateVapidKeys();
    REQUIRE(keys);
    CHECK(validVapidKey(keys->publicKey));
    CHECK_FALSE(validVapidKey(keys->publicKey.substr(1)));
    CHECK_FALSE(validVapidKey(std::string(87, '!')));
    CHECK_FALSE(validVapidKey("C" + keys->publicKey.substr(1)));  // first byte 0x08, not 0x04
}
