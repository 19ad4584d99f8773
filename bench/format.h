#pragma once
// Numbers as the performance report prints them.
#include <iomanip>
#include <sstream>
#include <string>

namespace dhtpush::bench {

inline std::string fixed(double v, int digits = 2) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}

inline std::string ratio(double ours, double base) { return base > 0 ? fixed(ours / base) + "x" : "n/a"; }

}  // namespace dhtpush::bench
