#pragma once
// The soak's part of docs/performance.md: a table of the runs against the pass marks,
// and the curves gnuplot draws.
#include <json/json.h>

#include <ostream>
#include <string>

namespace dhtpush::bench {

void soakTable(std::ostream& md, const Json::Value& runs);
// For gnuplot, one line per bucket: minute, created/s, delivery p50 and p99 (ms), /health p99
// (ms), RSS of A and B (MiB), open files of A and B.
void writeSoakCurves(const std::string& path, const Json::Value& result);

}  // namespace dhtpush::bench
