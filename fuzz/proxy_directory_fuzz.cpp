// The proxy directory's parsers on hostile bytes: a signed entry as a DHT peer puts it, its
// body, and a node's GET /v1/proxies listing as a device reads it. Whatever body decodes must
// survive encode → decode unchanged; an accepted entry names a 40-digit identity.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dhtpush/client/proxy_discovery.h"
#include "dhtpush/node/proxy_record.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;
namespace node = dhtpush::node;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const dhtpush::crypto::Bytes bytes(data + 1, data + size);
    constexpr std::int64_t now = 1795647600000;
    switch (data[0] % 3) {
        case 0: {
            const auto body = node::decodeProxyRecordBody(bytes);
            if (!body) return 0;
            const auto again = node::decodeProxyRecordBody(node::encodeProxyRecordBody(*body));
            check(again.ok(), "a decoded entry body, re-encoded, does not decode");
            check(again->urls == body->urls && again->nodeId == body->nodeId, "round trip changed the URLs or node");
            check(again->issuedUnixMs == body->issuedUnixMs && again->expiresUnixMs == body->expiresUnixMs,
                  "round trip changed the times");
            check(body->load() >= 0 && body->load() <= 1, "load outside 0..1");
            break;
        }
        case 1: {
            const auto entry = node::verifySignedProxyRecord(bytes);
            if (entry) check(entry->identity.size() == 40, "an accepted entry without a 40-digit identity");
            break;
        }
        default: {
            const auto listing = dhtpush::client::parseProxyDirectory(std::string(bytes.begin(), bytes.end()), now);
            if (listing)
                for (const auto& entry : *listing) check(!entry.urls.empty(), "a listed entry without a URL");
            break;
        }
    }
    return 0;
}
