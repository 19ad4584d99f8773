#include "dhtpush/node/envelope_batch.h"

#include <msgpack.hpp>

#include "dhtpush/crypto/token.h"
#include "msgpack_map.h"

namespace dhtpush::node {
namespace {

constexpr std::size_t ENTRY_OVERHEAD = 1 + 2 + 16 + 5;  // array header, bin headers, recipient

msgpack::unpack_limit decodeLimits() {
    return msgpack::unpack_limit(/*array*/ MAX_BATCH_ENTRIES, /*map*/ 8, /*str*/ 64, /*bin*/ MAX_ENVELOPE_BYTES,
                                 /*ext*/ 64, /*depth*/ 4);
}

Error invalid(std::string detail) { return makeError(Errc::Invalid, "envelope batch: " + std::move(detail)); }

void packBin(msgpack::packer<msgpack::sbuffer>& pk, const crypto::Bytes& bytes) {
    pk.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    pk.pack_bin_body(reinterpret_cast<const char*>(bytes.data()), static_cast<std::uint32_t>(bytes.size()));
}

Expected<AddressedEnvelope> entryOf(const msgpack::object& o) {
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 2) return invalid("an entry is not a pair");
    const auto& recipient = o.via.array.ptr[0];
    const auto& envelope = o.via.array.ptr[1];
    if (recipient.type != msgpack::type::BIN || recipient.via.bin.size != crypto::RECIPIENT_BYTES)
        return invalid("a recipient id is not 16 bytes");
    if (envelope.type != msgpack::type::BIN) return invalid("an envelope is not bytes");
    auto decoded = decodeEnvelope(reinterpret_cast<const std::uint8_t*>(envelope.via.bin.ptr), envelope.via.bin.size);
    if (!decoded) return decoded.error();
    const auto* r = reinterpret_cast<const std::uint8_t*>(recipient.via.bin.ptr);
    return AddressedEnvelope{crypto::Bytes(r, r + recipient.via.bin.size), std::move(*decoded)};
}

}  // namespace

std::size_t batchEntryBytes(const BatchEntry& entry) { return ENTRY_OVERHEAD + entry.envelope.size(); }

crypto::Bytes encodeBatch(const std::vector<BatchEntry>& entries) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(2);
    pk.pack(std::string("v"));
    pk.pack(std::uint8_t{BATCH_VERSION});
    pk.pack(std::string("m"));
    pk.pack_array(static_cast<std::uint32_t>(entries.size()));
    for (const auto& entry : entries) {
        pk.pack_array(2);
        packBin(pk, entry.recipient);
        packBin(pk, entry.envelope);
    }
    return crypto::Bytes(buffer.data(), buffer.data() + buffer.size());
}

Expected<std::vector<AddressedEnvelope>> decodeBatch(const std::uint8_t* data, std::size_t size) {
    if (size > MAX_BATCH_BYTES) return makeError(Errc::TooLarge, "envelope batch: above 60 KiB");
    const auto handle = unpackMap(data, size, decodeLimits(), "envelope batch");
    if (!handle) return handle.error();
    const auto& root = handle->get();
    const msgpack::object* version = nullptr;
    const msgpack::object* messages = nullptr;
    for (std::uint32_t i = 0; i < root.via.map.size; ++i) {
        const auto& kv = root.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) return invalid("keys must be strings");
        const std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
        if (key == "v") version = &kv.val;
        else if (key == "m") messages = &kv.val;
    }
    if (!version || version->type != msgpack::type::POSITIVE_INTEGER || version->via.u64 != BATCH_VERSION)
        return invalid("unknown or missing version");
    if (!messages || messages->type != msgpack::type::ARRAY || messages->via.array.size == 0)
        return invalid("no messages");
    std::vector<AddressedEnvelope> out;
    out.reserve(messages->via.array.size);
    for (std::uint32_t i = 0; i < messages->via.array.size; ++i) {
        auto entry = entryOf(messages->via.array.ptr[i]);
        if (!entry) return entry.error();
        out.push_back(std::move(*entry));
    }
    return out;
}

}  // namespace dhtpush::node
