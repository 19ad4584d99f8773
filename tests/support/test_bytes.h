#pragma once
// Test vectors are published as base64url: decoded here, and a bad vector fails the test.
#include <string>

#include "dhtpush/crypto/base64url.h"

#include <catch2/catch.hpp>

namespace dhtpush::test {

inline crypto::Bytes b64(const std::string& text) {
    auto bytes = crypto::base64urlDecode(text);
    REQUIRE(bytes);
    return *bytes;
}

}  // namespace dhtpush::test
