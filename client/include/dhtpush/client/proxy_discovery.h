#pragma once
// Finding proxies without a list: a node's GET /v1/proxies (the DHT's proxy directory), each
// entry checked here again from its signed value, then each candidate's own /health: it must
// answer, be healthy and name the identity that signed the entry (an entry that names another
// proxy's URL is a lie). The best are the least loaded among those that answer fast.
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/proxy_record.h"

namespace dhtpush::client {

struct ProxyCandidate {
    node::ProxyRecord record;
    std::string url;  // the entry's first URL, no trailing slash
    std::chrono::milliseconds latency{0};  // of its /health
};

// How long one proxy's /health may take before it counts as unreachable.
constexpr std::chrono::milliseconds HEALTH_CHECK_DEADLINE{3000};
// Entries checked from one directory: a hostile node cannot make a device probe without end.
constexpr std::size_t MAX_CANDIDATES_CHECKED = 16;

// The entries of nodeUrl's directory that pass their signature and times (others skipped).
// Unavailable when the node does not answer, Malformed for a body that is not a directory.
Expected<std::vector<node::ProxyRecord>> fetchProxyDirectory(const std::string& nodeUrl);
// The same from a listing's body: the entries whose signed form holds at nowUnixMs.
Expected<std::vector<node::ProxyRecord>> parseProxyDirectory(const std::string& body, std::int64_t nowUnixMs);

// Whether the proxy behind the entry serves as it claims: its /health answers 200 "ok"
// within HEALTH_CHECK_DEADLINE and names the entry's signer as dht.identity and its node id
// as dht.node_id. The round trip.
Expected<std::chrono::milliseconds> checkProxy(const node::ProxyRecord& record);

// Whether a proxy the device already uses answers /health with 200 within the deadline.
bool answersHealthy(const std::string& proxyUrl);

// `count` healthy proxies from the first of `nodeUrls` whose directory answers, none of
// `exclude` (URLs), best first: those under 90 % of their capacity before fuller ones, then
// the fastest to answer. NotFound when fewer than `count` are healthy (with what was found
// and skipped in the detail).
Expected<std::vector<ProxyCandidate>> discoverProxies(const std::vector<std::string>& nodeUrls, std::size_t count,
                                                      const std::set<std::string>& exclude = {});

}  // namespace dhtpush::client
