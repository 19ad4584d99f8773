#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dhtpush::crypto {

using Bytes = std::vector<std::uint8_t>;

inline Bytes toBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string toString(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace dhtpush::crypto
