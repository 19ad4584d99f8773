#pragma once
// Invariant checks for the fuzz targets: abort (a libFuzzer crash) with a message, even
// in builds where assert() is compiled out.
#include <cstdio>
#include <cstdlib>

namespace dhtpush::fuzz {

inline void check(bool condition, const char* what) {
    if (condition) return;
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
}

}  // namespace dhtpush::fuzz
