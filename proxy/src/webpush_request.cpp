#include "webpush_request.h"

#include "header_text.h"

#include <algorithm>
#include <charconv>

namespace dhtpush::proxy {
namespace {

// RFC 8188 §2.1 header, as RFC 8291 §4 fixes it: salt (16), record size (4, big-endian),
// idlen (1) = 65, keyid = the application server's P-256 public key; then one record of at
// least a tag and a padding delimiter, no longer than the record size. The node cannot
// decrypt; a body that cannot be RFC 8291 is refused here, not lost at the device.
Status checkAes128gcmBody(std::string_view body) {
    constexpr std::size_t SALT = 16, HEADER = SALT + 4 + 1 + 65, MIN_RECORD = 16 + 1;
    if (body.size() < HEADER + MIN_RECORD)
        return makeError(Errc::Invalid, "an aes128gcm body is at least " + std::to_string(HEADER + MIN_RECORD) +
                                            " bytes (RFC 8291 header and one record); this one is " +
                                            std::to_string(body.size()));
    const auto byte = [&body](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(body[i])); };
    const auto recordSize = byte(SALT) << 24 | byte(SALT + 1) << 16 | byte(SALT + 2) << 8 | byte(SALT + 3);
    if (byte(SALT + 4) != 65)
        return makeError(Errc::Invalid, "the aes128gcm keyid must be the 65-byte application server key (RFC 8291 §4)");
    if (recordSize < 18) return makeError(Errc::Invalid, "the aes128gcm record size must be at least 18 (RFC 8188)");
    if (body.size() - HEADER > recordSize)
        return makeError(Errc::Invalid, "a push message is one aes128gcm record (RFC 8291 §4); this body needs more");
    return success();
}

}  // namespace

Expected<node::Envelope> parseWebPushRequest(const WebPushHeaders& h, std::string_view body, std::uint32_t maxTtl) {
    if (!h.ttl) return makeError(Errc::Invalid, "the TTL header is required (RFC 8030 §5.2)");
    const auto ttlText = trimOws(*h.ttl);
    std::uint64_t ttl = 0;
    const auto [end, ec] = std::from_chars(ttlText.data(), ttlText.data() + ttlText.size(), ttl);
    if (ttlText.empty() || end != ttlText.data() + ttlText.size() || (ec != std::errc{} && ec != std::errc::result_out_of_range))
        return makeError(Errc::Invalid, "TTL must be a non-negative number of seconds");
    if (ec == std::errc::result_out_of_range || ttl > maxTtl) ttl = maxTtl;

    auto urgency = node::Urgency::Normal;
    if (h.urgency) {
        auto parsed = node::parseUrgency(asciiLower(trimOws(*h.urgency)));
        if (!parsed) return makeError(Errc::Invalid, "Urgency must be very-low, low, normal or high");
        urgency = *parsed;
    }
    std::string topic;
    if (h.topic) {
        topic = std::string(trimOws(*h.topic));
        if (topic.empty() || !node::isValidTopic(topic))
            return makeError(Errc::Invalid, "Topic must be 1 to 32 characters of the base64url alphabet");
    }
    std::string encoding;
    if (h.contentEncoding) {
        encoding = asciiLower(trimOws(*h.contentEncoding));
        if (!encoding.empty() && !node::isSupportedEncoding(encoding))
            return makeError(Errc::UnsupportedEncoding, "Content-Encoding must be aes128gcm (RFC 8291)");
    }
    if (body.size() > node::MAX_BODY_BYTES)
        return makeError(Errc::TooLarge, "the body is " + std::to_string(body.size()) +
                                             " bytes; a push message holds at most 4096");
    if (encoding == "aes128gcm")
        if (auto valid = checkAes128gcmBody(body); !valid) return valid.error();
    return node::Envelope::create(static_cast<std::uint32_t>(ttl), urgency, std::move(topic), std::move(encoding),
                                  crypto::Bytes(body.begin(), body.end()));
}

}  // namespace dhtpush::proxy
