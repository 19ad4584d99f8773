// HttpHeadCheck on hostile bytes, fed whole and in two pieces: no crash, and the same answer
// wherever the bytes are split (a request may arrive in any number of reads).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "http_head_check.h"

using dhtpush::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* bytes = reinterpret_cast<const char*>(data);
    dhtpush::proxy::HttpHeadCheck whole, split;
    const auto a = whole.feed(bytes, size);
    const auto cut = size / 2;
    auto b = split.feed(bytes, cut);
    if (!b) b = split.feed(bytes + cut, size - cut);
    check(a.has_value() == b.has_value(), "the answer depends on how the bytes were split");
    if (a && b) check(a->status == b->status, "the status depends on how the bytes were split");
    if (a) check(a->status == 400 || a->status == 413 || a->status == 414 || a->status == 431, "an unexpected status");
    return 0;
}
