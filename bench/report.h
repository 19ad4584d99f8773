#pragma once
#include <map>
#include <string>

namespace dhtpush::bench {

// `report --dir DIR --json FILE --markdown FILE`: merges the pieces scripts/bench wrote in
// DIR into one JSON document (each figure: ours, the baseline, their ratio, N and sample
// counts) and the tables of docs/performance.md.
int writeReport(const std::map<std::string, std::string>& options);

}  // namespace dhtpush::bench
