#pragma once
#include <cstddef>

#include "dhtpush/crypto/bytes.h"

namespace dhtpush::crypto {

// Bytes from GnuTLS's key-grade generator. Aborts only if the system RNG is broken.
Bytes randomBytes(std::size_t count);

}  // namespace dhtpush::crypto
