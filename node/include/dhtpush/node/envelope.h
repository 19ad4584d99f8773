#pragma once
// The envelope: what a node puts into the DHT for one notification (docs/protocol.md).
// Versioned msgpack; the body is opaque (RFC 8291 ciphertext, or empty).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"

namespace dhtpush::node {

constexpr std::uint8_t ENVELOPE_VERSION = 1;
constexpr std::size_t MAX_BODY_BYTES = 4096;       // RFC 8030/8291: a push message fits 4096 octets
constexpr std::size_t MAX_TOPIC_CHARS = 32;        // RFC 8030 §5.4
constexpr std::size_t MESSAGE_ID_BYTES = 16;
constexpr std::size_t MAX_ENVELOPE_BYTES = 8192;   // body + headers, far under OpenDHT's 64 KiB
constexpr std::uint32_t MAX_TTL_SECONDS = 28 * 24 * 3600;
constexpr std::size_t MAX_VAPID_BYTES = 1024;      // an Authorization header as a sender gave it

// RFC 8030 §5.3.
enum class Urgency : std::uint8_t { VeryLow = 0, Low = 1, Normal = 2, High = 3 };
std::string_view urgencyName(Urgency u);
std::optional<Urgency> parseUrgency(std::string_view text);

// Content encodings a body may carry. Empty means no body coding (a content-less wake-up,
// or plain bytes from `dhtpush send --plain` on a private network).
bool isSupportedEncoding(std::string_view encoding);
// A Topic is at most 32 characters of the base64url alphabet (RFC 8030 §5.4).
bool isValidTopic(std::string_view topic);

struct Envelope {
    crypto::Bytes id;                 // MESSAGE_ID_BYTES random bytes
    std::uint64_t createdMs{0};       // sender node's clock, Unix epoch milliseconds
    std::uint32_t ttlSeconds{0};
    Urgency urgency{Urgency::Normal};
    std::string topic;
    std::string encoding;
    crypto::Bytes body;
    // The sender's `Authorization: vapid t=..., k=...` value, as given to the accepting node
    // (empty: none). The device's proxy checks it against the subscription's bound key.
    std::string vapid;

    // A fresh envelope with a random id, created now.
    static Envelope create(std::uint32_t ttlSeconds, Urgency urgency, std::string topic,
                           std::string encoding, crypto::Bytes body);
    std::string idText() const;  // base64url of id
    // True when created + TTL is in the past at `now`.
    bool expiredAt(std::chrono::system_clock::time_point now) const;
};

crypto::Bytes encodeEnvelope(const Envelope& envelope);
// Rejects anything a hostile peer could send: not msgpack, wrong types, unknown version,
// out-of-range fields, oversized parts. Unknown map keys are ignored (forward compatible)
// while their values stay within the decoder's limits: nesting depth 4, at most 64
// entries per map or array, strings up to 1024 bytes, the whole input up to 8192 bytes.
Expected<Envelope> decodeEnvelope(const std::uint8_t* data, std::size_t size);
inline Expected<Envelope> decodeEnvelope(const crypto::Bytes& data) { return decodeEnvelope(data.data(), data.size()); }

std::uint64_t nowMs();

// The OpenDHT value id of an envelope put alone (at a version-1 key): its message id's first
// 8 bytes read as a little-endian integer, 1 when that is 0 (OpenDHT's "no id"). The same on
// every machine, so that one message put twice, by any two nodes, is stored once.
std::uint64_t envelopeValueId(const Envelope& envelope);

}  // namespace dhtpush::node
