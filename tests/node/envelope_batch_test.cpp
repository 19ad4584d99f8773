#include "dhtpush/node/envelope_batch.h"

#include <msgpack.hpp>

#include "dhtpush/crypto/token.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::Bytes;
using namespace dhtpush::node;

namespace {

Envelope envelopeWith(const std::string& body) {
    return Envelope::create(60, Urgency::Normal, "", "", Bytes(body.begin(), body.end()));
}

BatchEntry entryFor(std::uint8_t recipient, const std::string& body) {
    return {Bytes(dhtpush::crypto::RECIPIENT_BYTES, recipient), encodeEnvelope(envelopeWith(body))};
}

dhtpush::Expected<std::vector<AddressedEnvelope>> decode(const Bytes& b) { return decodeBatch(b.data(), b.size()); }

// {"v": version, "m": [[recipient, envelope]...]} built by hand, to break one part at a time.
Bytes handBuilt(std::uint64_t version, const std::vector<std::pair<Bytes, Bytes>>& entries) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(2);
    pk.pack(std::string("v"));
    pk.pack(version);
    pk.pack(std::string("m"));
    pk.pack_array(static_cast<std::uint32_t>(entries.size()));
    for (const auto& [recipient, envelope] : entries) {
        pk.pack_array(2);
        pk.pack_bin(static_cast<std::uint32_t>(recipient.size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(recipient.data()), static_cast<std::uint32_t>(recipient.size()));
        pk.pack_bin(static_cast<std::uint32_t>(envelope.size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(envelope.data()), static_cast<std::uint32_t>(envelope.size()));
    }
    return Bytes(buffer.data(), buffer.data() + buffer.size());
}

}  // namespace

TEST_CASE("a batch decodes to its entries, in order, with their recipients", "[node][batch]") {
    const auto a = entryFor(1, "first"), b = entryFor(2, "second");
    const auto decoded = decode(encodeBatch({a, b}));
    REQUIRE(decoded.ok());
    REQUIRE(decoded->size() == 2);
    CHECK((*decoded)[0].recipient == a.recipient);
    CHECK(encodeEnvelope((*decoded)[0].envelope) == a.envelope);
    CHECK((*decoded)[1].recipient == b.recipient);
    CHECK(encodeEnvelope((*decoded)[1].envelope) == b.envelope);
}

TEST_CASE("batchEntryBytes bounds what an entry adds to the encoded batch", "[node][batch]") {
    std::vector<BatchEntry> entries;
    std::size_t bound = 16;
    for (int i = 0; i < 40; ++i) {
        entries.push_back(entryFor(static_cast<std::uint8_t>(i), std::string(static_cast<std::size_t>(i) * 97, 'x')));
        bound += batchEntryBytes(entries.back());
        CHECK(encodeBatch(entries).size() <= bound);
    }
}

TEST_CASE("a batch with one bad part is refused whole", "[node][batch]") {
    const auto good = entryFor(1, "ok");
    REQUIRE(decode(handBuilt(1, {{good.recipient, good.envelope}})).ok());
    CHECK(decode(handBuilt(2, {{good.recipient, good.envelope}})).error().code == Errc::Invalid);
    CHECK(decode(handBuilt(1, {})).error().code == Errc::Invalid);
    CHECK(decode(handBuilt(1, {{Bytes(15, 1), good.envelope}})).error().code == Errc::Invalid);
    CHECK(decode(handBuilt(1, {{Bytes(17, 1), good.envelope}})).error().code == Errc::Invalid);
    auto broken = good.envelope;
    broken.pop_back();  // a cut envelope
    CHECK_FALSE(decode(handBuilt(1, {{good.recipient, good.envelope}, {good.recipient, broken}})).ok());
    CHECK_FALSE(decode(handBuilt(1, {{good.recipient, Bytes{0xc1}}})).ok());
    auto trailing = encodeBatch({good});
    trailing.push_back(0);
    CHECK(decode(trailing).error().code == Errc::Invalid);
    CHECK(decode(Bytes{}).error().code == Errc::Malformed);
    CHECK(decode(Bytes{0x93, 1, 2, 3}).error().code == Errc::Invalid);  // an array, not a map
}

TEST_CASE("a batch above the entry or size limits is refused", "[node][batch]") {
    const auto small = entryFor(1, "");
    std::vector<std::pair<Bytes, Bytes>> many(MAX_BATCH_ENTRIES + 1, {small.recipient, small.envelope});
    CHECK_FALSE(decode(handBuilt(1, many)).ok());
    many.pop_back();
    CHECK(decode(handBuilt(1, many)).ok());
    Bytes huge(MAX_BATCH_BYTES + 1, 0);
    CHECK(decode(huge).error().code == Errc::TooLarge);
}
