#pragma once
#include <cstddef>
#include <cstdint>

#include "dhtpush/crypto/bytes.h"

namespace dhtpush::crypto {

// Bytes from GnuTLS's key-grade generator. Aborts only if the system RNG is broken.
Bytes randomBytes(std::size_t count);
// A number from the same generator: value ids, picking at random.
std::uint64_t randomUint64();

}  // namespace dhtpush::crypto
