#include "envelope_time.h"

#include <algorithm>
#include <string>

namespace dhtpush::proxy {

Status boundEnvelopeTime(node::Envelope& envelope, std::uint64_t nowMs, const EnvelopeTimeRules& rules) {
    const auto skewMs = static_cast<std::uint64_t>(rules.maxClockSkew.count()) * 1000;
    // why: nowMs + skewMs cannot overflow for any real clock; createdMs is the peer's and is
    // only ever compared, never added to, before this check passed.
    if (envelope.createdMs > nowMs + skewMs)
        return makeError(Errc::Invalid, "envelope: created more than " + std::to_string(rules.maxClockSkew.count()) +
                                            " s ahead of this node's clock");
    envelope.ttlSeconds = std::min(envelope.ttlSeconds, rules.maxTtlSeconds);
    return success();
}

std::int64_t orderingTimeMs(const node::Envelope& envelope, std::uint64_t nowMs) {
    return static_cast<std::int64_t>(std::min(envelope.createdMs, nowMs));
}

}  // namespace dhtpush::proxy
