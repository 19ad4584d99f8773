#pragma once
// A proxy's entry in the DHT's proxy directory (docs/protocol.md, "The proxy directory"):
// where it serves, how full it is and until when the entry holds, signed (ES256) with the
// node's directory key. Any node lists what it finds at GET /v1/proxies; a device checks each
// entry again itself (readSignedProxyRecord), so it need not trust the node it asked.
#include <opendht/value.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/expected.h"

namespace dhtpush::node {

// The directory's DHT key: SHA-256("dhtpush/v2/proxy-directory")[0..20], in every network.
crypto::DhtKey proxyDirectoryKey();

// A value type of its own, so storing nodes that know it keep an entry only a short while and
// only when it is signed and well formed (proxyRecordValueType).
constexpr dht::ValueType::Id PROXY_RECORD_VALUE_TYPE_ID = 0x7050;  // "pP"
constexpr const char* PROXY_RECORD_USER_TYPE = "dhtpush/proxy";
constexpr std::size_t MAX_PROXY_RECORD_BYTES = 2048;  // the record's body
constexpr std::size_t MAX_SIGNED_PROXY_RECORD_BYTES = MAX_PROXY_RECORD_BYTES + 256;  // with key and signature
constexpr std::size_t MAX_PROXY_URLS = 4;
constexpr std::size_t MAX_PROXY_URL_CHARS = 256;
constexpr std::size_t MAX_PROXY_VERSION_CHARS = 32;
// An entry may say it was made this far ahead of the reader's clock; further is a forgery.
constexpr std::chrono::seconds PROXY_RECORD_MAX_SKEW{60};
// An entry may claim to hold at most this long past its making: a stopped proxy leaves the
// directory within it even when a hostile storing node keeps serving its last entry.
constexpr std::chrono::minutes PROXY_RECORD_MAX_LIFETIME{15};

struct ProxyRecord {
    std::vector<std::string> urls;  // http(s) base URLs, the first preferred
    std::string nodeId;             // the DHT node id (hex), as its /health names it
    std::string version;            // dhtpush version
    std::uint64_t maxDevices{0};    // capacity; 0: no cap
    std::uint64_t devices{0};
    std::uint64_t subscriptions{0};
    std::uint64_t streams{0};
    std::int64_t issuedUnixMs{0};
    std::int64_t expiresUnixMs{0};  // == issuedUnixMs: withdrawn (the proxy stopped)
    // Set when read from a signed entry: the signer's id (hex of SHA-256 of its public key,
    // 20 bytes), what /health must name as dht.identity, and the entry as signed (for a reader
    // who checks it itself).
    std::string identity;
    crypto::Bytes signedData;

    // Of its capacity, 0..1 (0 without a cap).
    double load() const;
};

// The record's body (msgpack); what the node signs inside an OpenDHT value.
crypto::Bytes encodeProxyRecordBody(const ProxyRecord& record);
// Malformed or Invalid (a field missing, of the wrong type or past a bound, a URL that is
// not http(s), an expiry before the issue or past PROXY_RECORD_MAX_LIFETIME).
Expected<ProxyRecord> decodeProxyRecordBody(const crypto::Bytes& body);

// The signer's id for a public key (65-byte point): hex of SHA-256(point)[0..20].
std::string proxyIdentity(const crypto::Bytes& publicKey);

// The entry as put in the DHT: msgpack {"body": bin, "key": bin (the point), "sig": bin (ES256
// over "dhtpush/v2/proxy-record" followed by the body)}. Fails on an unusable key.
Expected<crypto::Bytes> signProxyRecord(const ProxyRecord& record, const crypto::VapidKeys& key);
// A signed entry: well formed, the signature good, the body valid; sets identity and
// signedData. Forbidden for a bad signature; Malformed or Invalid otherwise.
Expected<ProxyRecord> verifySignedProxyRecord(const crypto::Bytes& signedData);
// Whether a verified entry holds at `nowUnixMs`: issued no further ahead than
// PROXY_RECORD_MAX_SKEW, not expired, not withdrawn.
Status checkProxyRecordTime(const ProxyRecord& record, std::int64_t nowUnixMs);
// Both: what a device does with an entry a node handed it.
Expected<ProxyRecord> readSignedProxyRecord(const crypto::Bytes& signedData, std::int64_t nowUnixMs);
bool isProxyRecordValue(const dht::Value& value);  // the directory's type and user type
// A value from the DHT: isProxyRecordValue, then readSignedProxyRecord.
Expected<ProxyRecord> readProxyRecordValue(const dht::Value& value, std::int64_t nowUnixMs);

std::int64_t unixNowMs();

// The directory's value type: storing nodes that register it keep an entry `lifetime`, only
// a signed, valid one at the directory key, and let a value be edited in place only by the
// same signer with a later entry (a node puts each entry as a new value; readers keep the
// latest per signer).
dht::ValueType proxyRecordValueType(std::chrono::seconds lifetime);

}  // namespace dhtpush::node
