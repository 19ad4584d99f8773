// The proxy directory's entry (node/proxy_record.h): what a reader takes, and every way a
// hostile peer's entry is refused: unsigned, signed by another key, tampered, replayed after
// its expiry, dated ahead of our clock, withdrawn, oversized or out of its bounds; and the
// storing nodes' rule that only the same signer replaces an entry, with a later one.
#include "dhtpush/node/proxy_record.h"

#include <msgpack.hpp>

#include <fstream>
#include <iterator>

#include "dhtpush/crypto/base64url.h"

#include <catch2/catch.hpp>

using namespace dhtpush;

namespace {

constexpr std::int64_t NOW = 1795647600000;

node::ProxyRecord someRecord() {
    node::ProxyRecord r;
    r.urls = {"https://push.example.org"};
    r.nodeId = std::string(40, 'a');
    r.version = "0.1.0";
    r.maxDevices = 1000;
    r.devices = 250;
    r.subscriptions = 900;
    r.streams = 200;
    r.issuedUnixMs = NOW;
    r.expiresUnixMs = NOW + 180000;
    return r;
}

const crypto::VapidKeys& key() {
    static const auto keys = *crypto::generateVapidKeys();
    return keys;
}

crypto::Bytes signedEntry(const node::ProxyRecord& record, const crypto::VapidKeys& keys = key()) {
    return *node::signProxyRecord(record, keys);
}

// The signed entry with one of its fields replaced.
crypto::Bytes withField(const crypto::Bytes& entry, const std::string& field, const crypto::Bytes& bytes) {
    const auto handle = msgpack::unpack(reinterpret_cast<const char*>(entry.data()), entry.size());
    const auto& map = handle.get().via.map;
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(map.size);
    for (std::uint32_t i = 0; i < map.size; ++i) {
        const std::string name(map.ptr[i].key.via.str.ptr, map.ptr[i].key.via.str.size);
        pk.pack(name);
        const auto& bin = map.ptr[i].val.via.bin;
        const auto value = name == field ? bytes : crypto::Bytes(bin.ptr, bin.ptr + bin.size);
        pk.pack_bin(static_cast<std::uint32_t>(value.size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(value.data()), static_cast<std::uint32_t>(value.size()));
    }
    return crypto::Bytes(buffer.data(), buffer.data() + buffer.size());
}

std::shared_ptr<dht::Value> directoryValue(const crypto::Bytes& entry) {
    auto value = std::make_shared<dht::Value>(node::PROXY_RECORD_VALUE_TYPE_ID, entry, 7);
    value->user_type = node::PROXY_RECORD_USER_TYPE;
    return value;
}

dht::InfoHash directoryHash() {
    const auto key = node::proxyDirectoryKey();
    return dht::InfoHash(key.data(), key.size());
}

}  // namespace

TEST_CASE("a signed entry reads back whole, with its signer as identity", "[node][directory]") {
    auto read = node::readSignedProxyRecord(signedEntry(someRecord()), NOW + 1000);
    REQUIRE(read.ok());
    CHECK(read->urls == someRecord().urls);
    CHECK(read->nodeId == someRecord().nodeId);
    CHECK(read->devices == 250);
    CHECK(read->load() == Approx(0.25));
    CHECK(read->identity == node::proxyIdentity(*crypto::base64urlDecode(key().publicKey)));
    CHECK(read->identity.size() == 40);
    // As a DHT value of the directory's type.
    CHECK(node::readProxyRecordValue(*directoryValue(read->signedData), NOW).ok());
    auto otherType = directoryValue(read->signedData);
    otherType->user_type = "dhtpush/envelope";
    CHECK_FALSE(node::readProxyRecordValue(*otherType, NOW).ok());
}

TEST_CASE("an entry whose body, key or signature was changed after signing is refused", "[node][directory]") {
    const auto entry = signedEntry(someRecord());
    auto other = someRecord();
    other.urls = {"https://evil.example.org"};
    const auto otherBody = node::encodeProxyRecordBody(other);
    CHECK(node::readSignedProxyRecord(withField(entry, "body", otherBody), NOW).error().code == Errc::Forbidden);
    // Another key in place of the signer's: its own signature does not match.
    const auto stranger = *crypto::generateVapidKeys();
    CHECK(node::readSignedProxyRecord(withField(entry, "key", *crypto::base64urlDecode(stranger.publicKey)), NOW)
              .error()
              .code == Errc::Forbidden);
    auto signature = crypto::Bytes(64, 1);
    CHECK(node::readSignedProxyRecord(withField(entry, "sig", signature), NOW).error().code == Errc::Forbidden);
    CHECK_FALSE(node::readSignedProxyRecord(withField(entry, "sig", crypto::Bytes(63, 1)), NOW).ok());
    CHECK_FALSE(node::readSignedProxyRecord(withField(entry, "key", crypto::Bytes(65, 7)), NOW).ok());
}

TEST_CASE("an entry is read only while it holds by the reader's clock", "[node][directory]") {
    const auto entry = signedEntry(someRecord());
    CHECK(node::readSignedProxyRecord(entry, NOW + 180000).error().code == Errc::Invalid);  // expired (a replay)
    CHECK(node::readSignedProxyRecord(entry, NOW - 61000).error().code == Errc::Invalid);   // issued ahead of us
    CHECK(node::readSignedProxyRecord(entry, NOW - 59000).ok());                             // within the skew
    auto withdrawn = someRecord();
    withdrawn.expiresUnixMs = withdrawn.issuedUnixMs;
    auto read = node::readSignedProxyRecord(signedEntry(withdrawn), NOW);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().detail.find("withdrawn") != std::string::npos);
}

TEST_CASE("an entry's fields are bounded", "[node][directory]") {
    auto check = [](node::ProxyRecord r) { return node::decodeProxyRecordBody(node::encodeProxyRecordBody(r)).ok(); };
    CHECK(check(someRecord()));
    auto r = someRecord();
    r.urls = {"ftp://push.example.org"};
    CHECK_FALSE(check(r));
    r.urls = {"https://push.example.org/\n"};
    CHECK_FALSE(check(r));
    r.urls = {"https://" + std::string(300, 'a')};
    CHECK_FALSE(check(r));
    r.urls = std::vector<std::string>(5, "https://a.example.org");
    CHECK_FALSE(check(r));
    r.urls = {};
    CHECK_FALSE(check(r));
    r = someRecord();
    r.nodeId = "not hex";
    CHECK_FALSE(check(r));
    r = someRecord();
    r.expiresUnixMs = r.issuedUnixMs + 16 * 60 * 1000;  // longer than any entry may claim
    CHECK_FALSE(check(r));
    r.expiresUnixMs = r.issuedUnixMs - 1;
    CHECK_FALSE(check(r));
    CHECK(node::decodeProxyRecordBody(crypto::Bytes(3000, 0x80)).error().code == Errc::Invalid);
    CHECK_FALSE(node::decodeProxyRecordBody({0xc1}).ok());
    CHECK_FALSE(node::readSignedProxyRecord({0x93, 0x01}, NOW).ok());
    CHECK_FALSE(node::readSignedProxyRecord(crypto::Bytes(4000, 0x80), NOW).ok());
}

TEST_CASE("storing nodes keep only signed entries, replaced only by the same signer's later one", "[node][directory]") {
    const auto type = node::proxyRecordValueType(std::chrono::minutes(5));
    const dht::SockAddr from;
    auto first = directoryValue(signedEntry(someRecord()));
    CHECK(type.storePolicy(directoryHash(), first, {}, from));
    auto elsewhere = directoryValue(signedEntry(someRecord()));
    CHECK_FALSE(type.storePolicy(dht::InfoHash::get("another key"), elsewhere, {}, from));
    auto junk = directoryValue({0x80});
    CHECK_FALSE(type.storePolicy(directoryHash(), junk, {}, from));

    auto later = someRecord();
    later.issuedUnixMs += 60000;
    later.expiresUnixMs += 60000;
    auto next = directoryValue(signedEntry(later));
    CHECK(type.editPolicy(directoryHash(), first, next, {}, from));
    auto replay = directoryValue(signedEntry(someRecord()));
    CHECK_FALSE(type.editPolicy(directoryHash(), next, replay, {}, from));  // not later
    auto hijack = directoryValue(signedEntry(later, *crypto::generateVapidKeys()));
    CHECK_FALSE(type.editPolicy(directoryHash(), first, hijack, {}, from));  // another signer
}

TEST_CASE("the directory lives at one well-known key", "[node][directory]") {
    // SHA-256("dhtpush/v2/proxy-directory")[0..20], as docs/protocol.md states.
    const auto key = node::proxyDirectoryKey();
    CHECK(dht::InfoHash(key.data(), key.size()).toString() == "6ce1f81279bf73eee7ecab1eb999614058510fe5");
}

TEST_CASE("an entry signed by another implementation (Python's cryptography) verifies", "[node][directory]") {
    // fuzz/corpus/proxy_directory_fuzz/entry: made from docs/protocol.md alone with
    // python3-msgpack and python3-cryptography; its first byte picks the fuzzer's parser.
    std::ifstream file(std::string(DHTPUSH_SOURCE_DIR) + "/fuzz/corpus/proxy_directory_fuzz/entry", std::ios::binary);
    const crypto::Bytes seed((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    REQUIRE(seed.size() > 1);
    const crypto::Bytes entry(seed.begin() + 1, seed.end());
    auto read = node::readSignedProxyRecord(entry, NOW + 1000);
    REQUIRE(read.ok());
    CHECK(read->urls == std::vector<std::string>{"https://push.example.org"});
    CHECK(read->devices == 250);
}
