#include "webpush_request.h"

#include <algorithm>
#include <charconv>

namespace dhtpush::proxy {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

Expected<node::Envelope> parseWebPushRequest(const WebPushHeaders& h, std::string_view body, std::uint32_t maxTtl) {
    if (!h.ttl) return makeError(Errc::Invalid, "the TTL header is required (RFC 8030 §5.2)");
    const auto ttlText = trim(*h.ttl);
    std::uint64_t ttl = 0;
    const auto [end, ec] = std::from_chars(ttlText.data(), ttlText.data() + ttlText.size(), ttl);
    if (ttlText.empty() || end != ttlText.data() + ttlText.size() || (ec != std::errc{} && ec != std::errc::result_out_of_range))
        return makeError(Errc::Invalid, "TTL must be a non-negative number of seconds");
    if (ec == std::errc::result_out_of_range || ttl > maxTtl) ttl = maxTtl;

    auto urgency = node::Urgency::Normal;
    if (h.urgency) {
        auto parsed = node::parseUrgency(lower(trim(*h.urgency)));
        if (!parsed) return makeError(Errc::Invalid, "Urgency must be very-low, low, normal or high");
        urgency = *parsed;
    }
    std::string topic;
    if (h.topic) {
        topic = std::string(trim(*h.topic));
        if (topic.empty() || !node::isValidTopic(topic))
            return makeError(Errc::Invalid, "Topic must be 1 to 32 characters of the base64url alphabet");
    }
    std::string encoding;
    if (h.contentEncoding) {
        encoding = lower(trim(*h.contentEncoding));
        if (!encoding.empty() && !node::isSupportedEncoding(encoding))
            return makeError(Errc::UnsupportedEncoding, "Content-Encoding must be aes128gcm (RFC 8291)");
    }
    if (body.size() > node::MAX_BODY_BYTES)
        return makeError(Errc::TooLarge, "the body is " + std::to_string(body.size()) +
                                             " bytes; a push message holds at most 4096");
    return node::Envelope::create(static_cast<std::uint32_t>(ttl), urgency, std::move(topic), std::move(encoding),
                                  crypto::Bytes(body.begin(), body.end()));
}

}  // namespace dhtpush::proxy
