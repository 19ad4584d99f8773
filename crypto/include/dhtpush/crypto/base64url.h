#pragma once
// base64url without padding (RFC 4648 §5), the form of every key, token and secret
// that dhtpush shows outside a process.
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/crypto/bytes.h"

namespace dhtpush::crypto {

std::string base64urlEncode(const std::uint8_t* data, std::size_t size);
inline std::string base64urlEncode(const Bytes& b) { return base64urlEncode(b.data(), b.size()); }
inline std::string base64urlEncode(std::string_view s) {
    return base64urlEncode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Fails (nullopt) on characters outside the base64url alphabet, on '=' padding,
// on a length of 1 mod 4 and on non-zero trailing bits.
std::optional<Bytes> base64urlDecode(std::string_view text);

}  // namespace dhtpush::crypto
