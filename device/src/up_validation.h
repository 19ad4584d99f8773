#pragma once
// What an app may send in a Register or Unregister call. The specification asks that a call
// with a field outside it be ignored: these checks decide that before anything is stored.
#include <string_view>

namespace dhtpush::device::up {

// 1 to 100 bytes of UTF-8 (the spec suggests a UUID) with no control characters.
bool validToken(std::string_view token);
// A well-known D-Bus bus name (the app's reverse-DNS id): 2+ elements of [A-Za-z0-9_-], not
// starting with a digit, at most 255 bytes.
bool validServiceName(std::string_view service);
// At most 100 bytes of UTF-8, no control characters.
bool validDescription(std::string_view description);
// 87 characters of base64url that decode to an uncompressed P-256 point (65 bytes, 0x04 ...).
bool validVapidKey(std::string_view key);

}  // namespace dhtpush::device::up
