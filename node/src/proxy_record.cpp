#include "dhtpush/node/proxy_record.h"

#include <msgpack.hpp>
#include <opendht/infohash.h>

#include <algorithm>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/es256.h"
#include "dhtpush/crypto/secret.h"
#include "msgpack_map.h"

namespace dhtpush::node {
namespace {

constexpr std::uint64_t RECORD_VERSION = 1;
constexpr std::string_view SIGNATURE_DOMAIN = "dhtpush/v2/proxy-record";

// What the signature covers: a domain, so no other ES256 signature of the key (a VAPID JWT)
// can pass for an entry, then the body.
std::string signingInput(const crypto::Bytes& body) {
    std::string input(SIGNATURE_DOMAIN);
    input.append(reinterpret_cast<const char*>(body.data()), body.size());
    return input;
}

msgpack::unpack_limit bodyLimits() {
    return msgpack::unpack_limit(/*array*/ 16, /*map*/ 32, /*str*/ 1024, /*bin*/ 1024, /*ext*/ 0, /*depth*/ 3);
}

Error invalid(const std::string& detail) { return makeError(Errc::Invalid, "proxy record: " + detail); }



bool isHttpUrl(const std::string& url) {
    const bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
    // Printable ASCII only, no spaces: it is shown to operators and used as a URL as is.
    const bool printable = std::all_of(url.begin(), url.end(), [](char c) { return c > ' ' && c < 0x7f; });
    return scheme && printable && url.size() > 8;
}

bool readUrls(const msgpack::object& o, std::vector<std::string>& urls) {
    if (o.type != msgpack::type::ARRAY || o.via.array.size == 0 || o.via.array.size > MAX_PROXY_URLS) return false;
    for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        std::string url;
        if (!readStr(o.via.array.ptr[i], url, MAX_PROXY_URL_CHARS) || !isHttpUrl(url)) return false;
        urls.push_back(std::move(url));
    }
    return true;
}

bool isHexId(const std::string& id) {
    return id.size() == 40 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace

crypto::DhtKey proxyDirectoryKey() {
    const auto digest = crypto::sha256("dhtpush/v2/proxy-directory");
    crypto::DhtKey key;
    std::copy_n(digest.begin(), key.size(), key.begin());
    return key;
}

double ProxyRecord::load() const {
    if (maxDevices == 0) return 0;
    return std::min(1.0, static_cast<double>(devices) / static_cast<double>(maxDevices));
}

std::int64_t unixNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

crypto::Bytes encodeProxyRecordBody(const ProxyRecord& r) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(10);
    auto field = [&pk](const char* name, const auto& value) {
        pk.pack(name);
        pk.pack(value);
    };
    field("v", RECORD_VERSION);
    field("urls", r.urls);
    field("node", r.nodeId);
    field("ver", r.version);
    field("cap", r.maxDevices);
    field("dev", r.devices);
    field("sub", r.subscriptions);
    field("str", r.streams);
    field("iss", static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.issuedUnixMs)));
    field("exp", static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.expiresUnixMs)));
    return crypto::Bytes(buffer.data(), buffer.data() + buffer.size());
}

Expected<ProxyRecord> decodeProxyRecordBody(const crypto::Bytes& body) {
    if (body.size() > MAX_PROXY_RECORD_BYTES) return invalid("above " + std::to_string(MAX_PROXY_RECORD_BYTES) + " bytes");
    auto handle = unpackMap(body.data(), body.size(), bodyLimits(), "proxy record");
    if (!handle) return handle.error();
    const auto& map = handle->get().via.map;
    ProxyRecord r;
    std::uint64_t version = 0, issued = 0, expires = 0;
    bool haveVersion = false, haveUrls = false, haveNode = false, haveIssued = false, haveExpires = false;
    for (std::uint32_t i = 0; i < map.size; ++i) {
        const auto& kv = map.ptr[i];
        if (kv.key.type != msgpack::type::STR) return invalid("keys must be strings");
        const std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
        bool ok = true;
        if (key == "v") ok = haveVersion = readUint(kv.val, version);
        else if (key == "urls") ok = haveUrls = readUrls(kv.val, r.urls);
        else if (key == "node") ok = haveNode = readStr(kv.val, r.nodeId, 40) && isHexId(r.nodeId);
        else if (key == "ver") ok = readStr(kv.val, r.version, MAX_PROXY_VERSION_CHARS);
        else if (key == "cap") ok = readUint(kv.val, r.maxDevices);
        else if (key == "dev") ok = readUint(kv.val, r.devices);
        else if (key == "sub") ok = readUint(kv.val, r.subscriptions);
        else if (key == "str") ok = readUint(kv.val, r.streams);
        else if (key == "iss") ok = haveIssued = readUint(kv.val, issued);
        else if (key == "exp") ok = haveExpires = readUint(kv.val, expires);
        if (!ok) return invalid("field '" + std::string(key) + "' is missing its form or out of bounds");
    }
    if (!haveVersion || version != RECORD_VERSION) return invalid("unknown or missing version");
    if (!haveUrls) return invalid("no URL");
    if (!haveNode) return invalid("no node id");
    if (!haveIssued || !haveExpires) return invalid("no issue or expiry time");
    // Both below 2^62 ms, so the sums below cannot overflow.
    if (issued > (std::uint64_t{1} << 62) || expires > (std::uint64_t{1} << 62)) return invalid("time out of range");
    if (expires < issued) return invalid("expires before it was issued");
    const auto maxLifetime = std::chrono::duration_cast<std::chrono::milliseconds>(PROXY_RECORD_MAX_LIFETIME).count();
    if (expires - issued > static_cast<std::uint64_t>(maxLifetime)) return invalid("claims to hold too long");
    r.issuedUnixMs = static_cast<std::int64_t>(issued);
    r.expiresUnixMs = static_cast<std::int64_t>(expires);
    return r;
}

std::string proxyIdentity(const crypto::Bytes& publicKey) {
    const auto digest = crypto::sha256(std::string_view(reinterpret_cast<const char*>(publicKey.data()), publicKey.size()));
    return dht::InfoHash(digest.data(), 20).toString();
}

Expected<crypto::Bytes> signProxyRecord(const ProxyRecord& record, const crypto::VapidKeys& key) {
    auto point = crypto::base64urlDecode(key.publicKey);
    auto scalar = crypto::base64urlDecode(key.privateKey);
    if (!point || !scalar) return makeError(Errc::Invalid, "the directory key is not base64url");
    const auto body = encodeProxyRecordBody(record);
    auto signature = crypto::signEs256(*point, *scalar, signingInput(body));
    if (!signature) return signature.error();
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(3);
    for (const auto& [name, bytes] : {std::pair<const char*, const crypto::Bytes*>{"body", &body}, {"key", &*point},
                                      {"sig", &*signature}}) {
        pk.pack(name);
        pk.pack_bin(static_cast<std::uint32_t>(bytes->size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(bytes->data()), static_cast<std::uint32_t>(bytes->size()));
    }
    return crypto::Bytes(buffer.data(), buffer.data() + buffer.size());
}

Expected<ProxyRecord> verifySignedProxyRecord(const crypto::Bytes& signedData) {
    if (signedData.size() > MAX_SIGNED_PROXY_RECORD_BYTES) return invalid("signed entry too large");
    const msgpack::unpack_limit limits(/*array*/ 0, /*map*/ 8, /*str*/ 16, /*bin*/ MAX_PROXY_RECORD_BYTES, /*ext*/ 0,
                                       /*depth*/ 2);
    auto handle = unpackMap(signedData.data(), signedData.size(), limits, "proxy record");
    if (!handle) return handle.error();
    const auto& map = handle->get().via.map;
    crypto::Bytes body, point, signature;
    for (std::uint32_t i = 0; i < map.size; ++i) {
        const auto& kv = map.ptr[i];
        if (kv.key.type != msgpack::type::STR || kv.val.type != msgpack::type::BIN) return invalid("fields are named bins");
        const std::string_view name(kv.key.via.str.ptr, kv.key.via.str.size);
        crypto::Bytes value(kv.val.via.bin.ptr, kv.val.via.bin.ptr + kv.val.via.bin.size);
        if (name == "body") body = std::move(value);
        else if (name == "key") point = std::move(value);
        else if (name == "sig") signature = std::move(value);
    }
    if (body.empty() || !crypto::isUncompressedP256Point(point) || signature.size() != crypto::ES256_SIGNATURE_SIZE)
        return invalid("body, key or signature missing");
    const auto verified = crypto::verifyEs256(point, signingInput(body), signature);
    if (!verified || !*verified) return makeError(Errc::Forbidden, "proxy record: bad signature");
    auto record = decodeProxyRecordBody(body);
    if (!record) return record.error();
    record->identity = proxyIdentity(point);
    record->signedData = signedData;
    return record;
}

Status checkProxyRecordTime(const ProxyRecord& record, std::int64_t nowUnixMs) {
    const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(PROXY_RECORD_MAX_SKEW).count();
    if (record.issuedUnixMs > nowUnixMs + skew) return invalid("issued in the future");
    if (record.expiresUnixMs == record.issuedUnixMs) return invalid("withdrawn");
    if (record.expiresUnixMs <= nowUnixMs) return invalid("expired");
    return success();
}

Expected<ProxyRecord> readSignedProxyRecord(const crypto::Bytes& signedData, std::int64_t nowUnixMs) {
    auto record = verifySignedProxyRecord(signedData);
    if (!record) return record.error();
    if (auto current = checkProxyRecordTime(*record, nowUnixMs); !current) return current.error();
    return record;
}

bool isProxyRecordValue(const dht::Value& value) {
    return value.type == PROXY_RECORD_VALUE_TYPE_ID && value.user_type == PROXY_RECORD_USER_TYPE;
}

Expected<ProxyRecord> readProxyRecordValue(const dht::Value& value, std::int64_t nowUnixMs) {
    if (!isProxyRecordValue(value)) return invalid("not a directory value");
    return readSignedProxyRecord(value.data, nowUnixMs);
}

dht::ValueType proxyRecordValueType(std::chrono::seconds lifetime) {
    static const auto directory = proxyDirectoryKey();
    auto storePolicy = [](dht::InfoHash key, const std::shared_ptr<dht::Value>& value, const dht::InfoHash&,
                          const dht::SockAddr&) {
        // Times are the readers' to judge (a storing node's clock is no better than theirs).
        return value && isProxyRecordValue(*value) && std::equal(directory.begin(), directory.end(), key.data()) &&
               verifySignedProxyRecord(value->data).ok();
    };
    // One entry per signer, replaced only by a later one of the same signer: a hostile peer can
    // neither overwrite another proxy's entry nor bring back an older one (a replay).
    auto editPolicy = [storePolicy](dht::InfoHash key, const std::shared_ptr<dht::Value>& old,
                                    std::shared_ptr<dht::Value>& next, const dht::InfoHash& from, const dht::SockAddr& address) {
        if (!old || !storePolicy(key, next, from, address)) return false;
        const auto before = verifySignedProxyRecord(old->data);
        const auto after = verifySignedProxyRecord(next->data);
        return before && after && before->identity == after->identity && after->issuedUnixMs > before->issuedUnixMs;
    };
    return dht::ValueType(PROXY_RECORD_VALUE_TYPE_ID, "dhtpush proxy record", lifetime, storePolicy, editPolicy);
}

}  // namespace dhtpush::node
