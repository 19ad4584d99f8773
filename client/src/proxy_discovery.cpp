#include "dhtpush/client/proxy_discovery.h"

#include <algorithm>
#include <future>
#include <thread>

#include "dhtpush/client/http_client.h"
#include "dhtpush/crypto/base64url.h"
#include "dhtpush/node/json.h"

namespace dhtpush::client {
namespace {

// A directory lists at most 64 entries of about 1 KB in JSON; a /health is a few KB.
constexpr std::size_t MAX_DIRECTORY_BODY = 256 * 1024;
constexpr std::size_t MAX_HEALTH_BODY = 64 * 1024;
constexpr int DIRECTORY_ATTEMPTS = 5;

std::string trimSlash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

bool isFull(const node::ProxyRecord& record) { return record.load() >= 0.9; }

}  // namespace

Expected<std::vector<node::ProxyRecord>> fetchProxyDirectory(const std::string& nodeUrl) {
    HttpRequest request{"GET", trimSlash(nodeUrl) + "/v1/proxies", {}, {}};
    request.maxBody = MAX_DIRECTORY_BODY;
    auto response = httpRequest(request);
    // A node asked for the first time reads the directory from the DHT first (503 with a
    // short Retry-After): asked again a few times, one second apart at most.
    for (int attempt = 0; attempt < DIRECTORY_ATTEMPTS && response && response->status == 503; ++attempt) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        response = httpRequest(request);
    }
    if (!response) return response.error();
    if (response->status != 200)
        return makeError(Errc::Unavailable, nodeUrl + "/v1/proxies answered HTTP " + std::to_string(response->status));
    auto records = parseProxyDirectory(response->body, node::unixNowMs());
    if (!records) return makeError(records.error().code, nodeUrl + "/v1/proxies: " + records.error().detail);
    return records;
}

Expected<std::vector<node::ProxyRecord>> parseProxyDirectory(const std::string& body, std::int64_t nowUnixMs) {
    auto json = node::parseJson(body);
    if (!json || !json->isObject() || !(*json)["proxies"].isArray())
        return makeError(Errc::Malformed, "not a proxy directory");
    std::vector<node::ProxyRecord> records;
    for (const auto& entry : (*json)["proxies"]) {
        // Only the signed value counts: the JSON beside it is the node's word.
        if (!entry.isObject() || !entry["record"].isString()) continue;
        auto packed = crypto::base64urlDecode(entry["record"].asString());
        if (!packed) continue;
        auto record = node::readSignedProxyRecord(*packed, nowUnixMs);
        if (record) records.push_back(std::move(*record));
    }
    return records;
}

Expected<std::chrono::milliseconds> checkProxy(const node::ProxyRecord& record) {
    const auto url = trimSlash(record.urls.front());
    HttpRequest request{"GET", url + "/health", {}, {}};
    request.timeout = HEALTH_CHECK_DEADLINE;
    request.maxBody = MAX_HEALTH_BODY;
    const auto started = std::chrono::steady_clock::now();
    auto response = httpRequest(request);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!response) return response.error();
    if (response->status != 200)
        return makeError(Errc::Unavailable, url + " is not healthy (HTTP " + std::to_string(response->status) + ")");
    auto json = node::parseJson(response->body);
    if (!json || !json->isObject() || !(*json)["dht"].isObject() || !(*json)["dht"]["identity"].isString())
        return makeError(Errc::Malformed, url + "/health names no identity");
    // The identity binds the URL to the entry's signer; the node id (in the signed body) must be
    // the one that answers there too.
    if ((*json)["dht"]["identity"].asString() != record.identity || !(*json)["dht"]["node_id"].isString() ||
        (*json)["dht"]["node_id"].asString() != record.nodeId)
        return makeError(Errc::Forbidden, url + " is not the proxy that signed the entry naming it");
    return took;
}

bool answersHealthy(const std::string& proxyUrl) {
    HttpRequest request{"GET", trimSlash(proxyUrl) + "/health", {}, {}};
    request.timeout = HEALTH_CHECK_DEADLINE;
    request.maxBody = MAX_HEALTH_BODY;
    auto response = httpRequest(request);
    return response && response->status == 200;
}

Expected<std::vector<ProxyCandidate>> discoverProxies(const std::vector<std::string>& nodeUrls, std::size_t count,
                                                      const std::set<std::string>& exclude) {
    Expected<std::vector<node::ProxyRecord>> directory = makeError(Errc::Invalid, "no node to ask for proxies");
    for (const auto& nodeUrl : nodeUrls) {
        directory = fetchProxyDirectory(nodeUrl);
        if (directory) break;
    }
    if (!directory) return directory.error();
    std::vector<node::ProxyRecord> candidates;
    for (auto& record : *directory)
        if (!exclude.count(trimSlash(record.urls.front())) && candidates.size() < MAX_CANDIDATES_CHECKED)
            candidates.push_back(std::move(record));
    // Checked at once: a dead candidate costs its deadline once, not once per candidate.
    std::vector<std::future<Expected<std::chrono::milliseconds>>> checks;
    for (const auto& record : candidates) checks.push_back(std::async(std::launch::async, [&record] { return checkProxy(record); }));
    std::vector<ProxyCandidate> healthy;
    std::string skipped;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        auto latency = checks[i].get();
        if (!latency) {
            skipped += "; skipped " + latency.error().detail;
            continue;
        }
        healthy.push_back({candidates[i], trimSlash(candidates[i].urls.front()), *latency});
    }
    std::stable_sort(healthy.begin(), healthy.end(), [](const ProxyCandidate& a, const ProxyCandidate& b) {
        if (isFull(a.record) != isFull(b.record)) return !isFull(a.record);
        return a.latency < b.latency;
    });
    if (healthy.size() < count)
        return makeError(Errc::NotFound, "found " + std::to_string(healthy.size()) + " healthy prox" +
                                             (healthy.size() == 1 ? "y" : "ies") + " of the " + std::to_string(count) +
                                             " needed among " + std::to_string(directory->size()) + " listed" + skipped);
    healthy.resize(count);
    return healthy;
}

}  // namespace dhtpush::client
