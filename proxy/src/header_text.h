#pragma once
// HTTP header text helpers, shared by the parsers of this room: optional whitespace around
// a value (RFC 9110 §5.6.3) and case-insensitive names and tokens.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace dhtpush::proxy {

inline std::string_view trimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

inline std::string asciiLower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace dhtpush::proxy
