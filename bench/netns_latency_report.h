#pragma once
// The report's table for bench/netns_latency.sh: latency on hosts in network namespaces whose
// switch delays every frame.
#include <json/json.h>

#include <ostream>

namespace dhtpush::bench {

// `run`: latency-netns.json with the switch's counts (latency-netns-hub.json) as "switch";
// null when the section did not run.
void netnsLatencyTable(std::ostream& md, const Json::Value& run);

}  // namespace dhtpush::bench
