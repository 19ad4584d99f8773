// parseWebPushRequest on hostile headers and body. The input is split on '\n' (a byte no
// HTTP header value holds) into TTL, Urgency, Topic, Content-Encoding and the body (the rest,
// separators included); an empty header part means the header is absent.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dhtpush/node/envelope.h"
#include "fuzz_check.h"
#include "webpush_request.h"

using dhtpush::fuzz::check;

namespace {

constexpr char SEPARATOR = '\n';
constexpr std::uint32_t MAX_TTL = 604800;  // one week, as a node may configure it

std::optional<std::string_view> header(std::string_view part) {
    if (part.empty()) return std::nullopt;
    return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    std::array<std::string_view, 4> parts{};
    for (auto& part : parts) {
        const auto end = rest.find(SEPARATOR);
        part = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    dhtpush::proxy::WebPushHeaders headers;
    headers.ttl = header(parts[0]);
    headers.urgency = header(parts[1]);
    headers.topic = header(parts[2]);
    headers.contentEncoding = header(parts[3]);

    const auto envelope = dhtpush::proxy::parseWebPushRequest(headers, rest, MAX_TTL);
    if (!envelope) return 0;
    check(envelope->ttlSeconds <= MAX_TTL, "accepted TTL above the maximum");
    check(envelope->body.size() <= 4096, "accepted a body above 4096 bytes");
    check(envelope->body.size() == rest.size(), "the envelope body is not the request body");
    check(dhtpush::node::isValidTopic(envelope->topic), "accepted an invalid topic");
    check(dhtpush::node::isSupportedEncoding(envelope->encoding), "accepted an unsupported encoding");
    // What the proxy accepts, the nodes must accept when it comes back from the DHT.
    check(dhtpush::node::decodeEnvelope(dhtpush::node::encodeEnvelope(*envelope)).ok(),
          "an accepted push message does not survive encodeEnvelope → decodeEnvelope");
    return 0;
}
