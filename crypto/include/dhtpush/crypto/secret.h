#pragma once
// Handling of secrets: device secrets are stored as a hash and compared in constant time.
#include <string>
#include <string_view>

#include "dhtpush/crypto/bytes.h"

namespace dhtpush::crypto {

// Constant-time equality (time depends only on the lengths).
bool constantTimeEqual(std::string_view a, std::string_view b);

Bytes sha256(std::string_view data);

// Overwrites the buffer in a way the compiler cannot elide.
void wipe(std::string& secret);
void wipe(Bytes& secret);

}  // namespace dhtpush::crypto
