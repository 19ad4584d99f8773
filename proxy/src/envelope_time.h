#pragma once
// What a DHT peer may claim about time. An envelope's creation time (`ct`) and TTL come from
// whoever put the value, so a proxy holds them against its own clock before they decide
// anything: expiry, Topic replacement (RFC 8030 §5.4), how long an id is remembered, and the
// window in which a VAPID proof is accepted (docs/security.md "Time"). Pure: the clock is a
// parameter.
#include <chrono>
#include <cstdint>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::proxy {

struct EnvelopeTimeRules {
    // How far ahead of this node's clock a creation time may be: the sender node's clock
    // may run a little fast, never much.
    std::chrono::seconds maxClockSkew{60};
    std::uint32_t maxTtlSeconds{7 * 24 * 3600};  // --max-ttl
};

// An envelope from the DHT at `nowMs` (Unix epoch milliseconds). Invalid when it was created
// more than maxClockSkew ahead of now (a forged future `ct` would make later real messages
// look older and shadow them). Otherwise its TTL is capped at maxTtlSeconds, as a POST's
// TTL is; an old `ct` then simply makes it expired. Never overflows, whatever the values.
Status boundEnvelopeTime(node::Envelope& envelope, std::uint64_t nowMs, const EnvelopeTimeRules& rules);

// The creation time a proxy orders messages by (Topic replacement): the envelope's, but
// never later than now, so a `ct` within the allowed skew cannot outrank what comes next.
std::int64_t orderingTimeMs(const node::Envelope& envelope, std::uint64_t nowMs);

}  // namespace dhtpush::proxy
