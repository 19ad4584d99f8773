// base64urlDecode on hostile text; the decoder is canonical, so encode(decode(x)) == x.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dhtpush/crypto/base64url.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto decoded = dhtpush::crypto::base64urlDecode(text);
    if (!decoded) return 0;
    check(dhtpush::crypto::base64urlEncode(*decoded) == text, "encode(decode(x)) != x");
    return 0;
}
