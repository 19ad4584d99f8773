#pragma once
// The proxy directory's entries one node keeps: checked entries (signature verified) go in,
// current ones come out, the newest per signer, at most MAX_RECORDS. No I/O, no lock: the
// caller (ProxyDirectory) guards it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dhtpush/node/proxy_record.h"

namespace dhtpush::node {

class DirectoryView {
public:
    // Entries kept (one per signer); past it the one that expires first goes. A Sybil with
    // many identities can still crowd honest entries out of one node's view: a device asks
    // more than one node (docs/security.md, "The proxy directory").
    static constexpr std::size_t MAX_RECORDS = 512;

    // Takes entries whose signatures hold, read at `nowUnixMs`. An entry that is not current
    // (withdrawn at a clean stop, or expired) ends its signer's older one, unless it is dated
    // beyond the allowed skew. Returns how many it refused.
    std::size_t take(std::vector<ProxyRecord> checked, std::int64_t nowUnixMs);
    // The current entries, best first (fewest devices for their capacity).
    std::vector<ProxyRecord> records(std::int64_t nowUnixMs) const;
    std::size_t count(std::int64_t nowUnixMs) const;

private:
    // Room for one more entry expiring at `expiresUnixMs`: drops the expired, then the one
    // that expires first if it expires before this one. False: no room.
    bool makeRoom(std::int64_t expiresUnixMs, std::int64_t nowUnixMs);

    std::map<std::string, ProxyRecord> byIdentity_;
};

}  // namespace dhtpush::node
