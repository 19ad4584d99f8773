#pragma once
// Bench modes that run as helper processes of scripts/bench, so that the proxy under test
// is measured alone in its own process.
#include <map>
#include <string>

namespace dhtpush::bench {

// `network --nodes N`: a local DHT network; prints {"bootstrap","network"} and runs until
// stdin closes.
int runNetwork(const std::map<std::string, std::string>& options);

// `load --proxy URL --kind dhtpush|stock`: reads commands from stdin and answers one JSON
// line each when done:
//   devices C        attach C devices and open their event streams (dhtpush)
//   subscriptions K  add K subscriptions spread over the devices (dhtpush)
//   listeners K      open K streaming listens on distinct keys (stock OpenDHT proxy)
int runLoad(const std::map<std::string, std::string>& options);

}  // namespace dhtpush::bench
