#include "dhtpush/node/envelope.h"

#include <msgpack.hpp>

#include <algorithm>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "msgpack_map.h"

namespace dhtpush::node {
namespace {

constexpr const char* URGENCY_NAMES[] = {"very-low", "low", "normal", "high"};

// Limits handed to msgpack so a hostile value cannot make the decoder allocate much. They
// leave room for unknown fields of a later version (small maps, arrays, strings); the
// known fields are checked more strictly below.
msgpack::unpack_limit decodeLimits() {
    return msgpack::unpack_limit(/*array*/ 64, /*map*/ 64, /*str*/ 1024, /*bin*/ MAX_ENVELOPE_BYTES,
                                 /*ext*/ 1024, /*depth*/ 4);
}

Error invalid(std::string detail) { return makeError(Errc::Invalid, "envelope: " + std::move(detail)); }




Expected<Envelope> fromMap(const msgpack::object_map& map) {
    Envelope e;
    std::uint64_t version = 0, created = 0, ttl = 0, urgency = 2;
    bool haveVersion = false, haveId = false, haveCreated = false, haveTtl = false;
    for (std::uint32_t i = 0; i < map.size; ++i) {
        const auto& kv = map.ptr[i];
        if (kv.key.type != msgpack::type::STR) return invalid("keys must be strings");
        const std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
        bool ok = true;
        if (key == "v") ok = haveVersion = readUint(kv.val, version);
        else if (key == "id") ok = haveId = readBin(kv.val, e.id);
        else if (key == "ct") ok = haveCreated = readUint(kv.val, created);
        else if (key == "ttl") ok = haveTtl = readUint(kv.val, ttl);
        else if (key == "urg") ok = readUint(kv.val, urgency);
        else if (key == "top") ok = readStr(kv.val, e.topic);
        else if (key == "enc") ok = readStr(kv.val, e.encoding);
        else if (key == "body") ok = readBin(kv.val, e.body);
        else if (key == "vap") ok = readStr(kv.val, e.vapid);
        if (!ok) return invalid("field '" + std::string(key) + "' has the wrong type");
    }
    if (!haveVersion || version != ENVELOPE_VERSION) return invalid("unknown or missing version");
    if (!haveId || e.id.size() != MESSAGE_ID_BYTES) return invalid("message id must be 16 bytes");
    if (!haveCreated) return invalid("missing creation time");
    if (!haveTtl || ttl > MAX_TTL_SECONDS) return invalid("TTL missing or above the maximum");
    if (urgency > 3) return invalid("urgency out of range");
    if (!isValidTopic(e.topic)) return invalid("topic is not up to 32 base64url characters");
    if (!isSupportedEncoding(e.encoding)) return invalid("unsupported content encoding");
    if (e.body.size() > MAX_BODY_BYTES) return invalid("body above 4096 bytes");
    if (e.vapid.size() > MAX_VAPID_BYTES) return invalid("VAPID header above 1024 bytes");
    e.createdMs = created;
    e.ttlSeconds = static_cast<std::uint32_t>(ttl);
    e.urgency = static_cast<Urgency>(urgency);
    return e;
}

}  // namespace

std::string_view urgencyName(Urgency u) { return URGENCY_NAMES[static_cast<int>(u) & 3]; }

std::optional<Urgency> parseUrgency(std::string_view text) {
    for (int i = 0; i < 4; ++i)
        if (text == URGENCY_NAMES[i]) return static_cast<Urgency>(i);
    return std::nullopt;
}

bool isSupportedEncoding(std::string_view encoding) { return encoding.empty() || encoding == "aes128gcm"; }

bool isValidTopic(std::string_view topic) {
    if (topic.size() > MAX_TOPIC_CHARS) return false;
    return std::all_of(topic.begin(), topic.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

std::uint64_t nowMs() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

Envelope Envelope::create(std::uint32_t ttlSeconds, Urgency urgency, std::string topic, std::string encoding,
                          crypto::Bytes body) {
    Envelope e;
    e.id = crypto::randomBytes(MESSAGE_ID_BYTES);
    e.createdMs = nowMs();
    e.ttlSeconds = ttlSeconds;
    e.urgency = urgency;
    e.topic = std::move(topic);
    e.encoding = std::move(encoding);
    e.body = std::move(body);
    return e;
}

std::string Envelope::idText() const { return crypto::base64urlEncode(id); }

bool Envelope::expiredAt(std::chrono::system_clock::time_point now) const {
    const auto expiresMs = createdMs + std::uint64_t{ttlSeconds} * 1000;
    const auto nowMillis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return nowMillis >= 0 && static_cast<std::uint64_t>(nowMillis) >= expiresMs;
}

std::uint64_t envelopeValueId(const Envelope& envelope) {
    // Little endian, byte by byte: before this was written down, nodes copied the bytes into
    // a native integer, which is this on every little-endian machine (x86, ARM as Debian
    // runs it), so their values keep their ids.
    std::uint64_t id = 0;
    for (std::size_t i = 0; i < 8 && i < envelope.id.size(); ++i) id |= std::uint64_t{envelope.id[i]} << (8 * i);
    return id == 0 ? 1 : id;
}

crypto::Bytes encodeEnvelope(const Envelope& e) {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    const int fields = 6 + (e.topic.empty() ? 0 : 1) + (e.encoding.empty() ? 0 : 1) + (e.vapid.empty() ? 0 : 1);
    pk.pack_map(static_cast<std::uint32_t>(fields));
    pk.pack(std::string("v"));
    pk.pack(std::uint8_t{ENVELOPE_VERSION});
    pk.pack(std::string("id"));
    pk.pack_bin(static_cast<std::uint32_t>(e.id.size()));
    pk.pack_bin_body(reinterpret_cast<const char*>(e.id.data()), static_cast<std::uint32_t>(e.id.size()));
    pk.pack(std::string("ct"));
    pk.pack(e.createdMs);
    pk.pack(std::string("ttl"));
    pk.pack(e.ttlSeconds);
    pk.pack(std::string("urg"));
    pk.pack(static_cast<std::uint8_t>(e.urgency));
    if (!e.topic.empty()) {
        pk.pack(std::string("top"));
        pk.pack(e.topic);
    }
    if (!e.encoding.empty()) {
        pk.pack(std::string("enc"));
        pk.pack(e.encoding);
    }
    if (!e.vapid.empty()) {
        pk.pack(std::string("vap"));
        pk.pack(e.vapid);
    }
    pk.pack(std::string("body"));
    pk.pack_bin(static_cast<std::uint32_t>(e.body.size()));
    pk.pack_bin_body(reinterpret_cast<const char*>(e.body.data()), static_cast<std::uint32_t>(e.body.size()));
    return crypto::Bytes(buffer.data(), buffer.data() + buffer.size());
}

Expected<Envelope> decodeEnvelope(const std::uint8_t* data, std::size_t size) {
    if (size > MAX_ENVELOPE_BYTES) return makeError(Errc::TooLarge, "envelope: above 8192 bytes");
    const auto handle = unpackMap(data, size, decodeLimits(), "envelope");
    if (!handle) return handle.error();
    return fromMap(handle->get().via.map);
}

}  // namespace dhtpush::node
