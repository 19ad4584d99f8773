#include "directory_view.h"

#include <algorithm>
#include <chrono>

namespace dhtpush::node {

std::size_t DirectoryView::take(std::vector<ProxyRecord> checked, std::int64_t nowUnixMs) {
    const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(PROXY_RECORD_MAX_SKEW).count();
    std::size_t refused = 0;
    for (auto& record : checked) {
        auto it = byIdentity_.find(record.identity);
        const bool newer = it == byIdentity_.end() || it->second.issuedUnixMs <= record.issuedUnixMs;
        if (!checkProxyRecordTime(record, nowUnixMs)) {
            if (it != byIdentity_.end() && newer && record.issuedUnixMs <= nowUnixMs + skew) byIdentity_.erase(it);
            else ++refused;
            continue;
        }
        if (it != byIdentity_.end()) {
            if (newer) it->second = std::move(record);
            continue;
        }
        if (!makeRoom(record.expiresUnixMs, nowUnixMs)) continue;
        const auto identity = record.identity;
        byIdentity_.emplace(identity, std::move(record));
    }
    return refused;
}

bool DirectoryView::makeRoom(std::int64_t expiresUnixMs, std::int64_t nowUnixMs) {
    if (byIdentity_.size() < MAX_RECORDS) return true;
    for (auto e = byIdentity_.begin(); e != byIdentity_.end();)
        e = e->second.expiresUnixMs <= nowUnixMs ? byIdentity_.erase(e) : std::next(e);
    if (byIdentity_.size() < MAX_RECORDS) return true;
    auto first = std::min_element(byIdentity_.begin(), byIdentity_.end(), [](const auto& a, const auto& b) {
        return a.second.expiresUnixMs < b.second.expiresUnixMs;
    });
    if (first->second.expiresUnixMs >= expiresUnixMs) return false;
    byIdentity_.erase(first);
    return true;
}

std::size_t DirectoryView::count(std::int64_t nowUnixMs) const {
    return static_cast<std::size_t>(std::count_if(byIdentity_.begin(), byIdentity_.end(),
                                                  [&](const auto& e) { return e.second.expiresUnixMs > nowUnixMs; }));
}

std::vector<ProxyRecord> DirectoryView::records(std::int64_t nowUnixMs) const {
    std::vector<ProxyRecord> out;
    for (const auto& [identity, record] : byIdentity_)
        if (record.expiresUnixMs > nowUnixMs) out.push_back(record);
    std::stable_sort(out.begin(), out.end(), [](const ProxyRecord& a, const ProxyRecord& b) { return a.load() < b.load(); });
    return out;
}

}  // namespace dhtpush::node
