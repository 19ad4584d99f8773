#pragma once
// `dhtpush-bench seed --data-dir D --devices C --subscriptions K --device-file F`: writes a proxy's database
// (D/proxy.sqlite, made the way the node makes it) as if C devices had attached and made K
// subscriptions, spread evenly over the devices and the default 16 inboxes. Making a million
// over HTTP takes 8 minutes; written here in batches, under one. The node started on D then
// loads them as after a restart, which is what the capacity section's million measures.
//
// The inbox ids are random: the node places new inboxes next to its node id, which does not
// exist before it first starts, so these sit wherever the DHT puts them (one more hop from a
// sender, as a rule; nothing in memory or at startup depends on it).
//
// Prints one JSON line: the counts and the seconds taken. One device, its secret and one of its
// tokens go into F (mode 0600 from creation; an existing F is an error), for a receiver to
// attach as (`dhtpush-bench deliver --device-file F`).
#include <map>
#include <string>

namespace dhtpush::bench {

int runSeed(const std::map<std::string, std::string>& options);

}  // namespace dhtpush::bench
