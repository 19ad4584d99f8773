#pragma once
// The device's proxy checks the VAPID proof of every envelope the DHT brings for a bound
// subscription: an ES256 verification costs about 240 µs, so a flood of forged envelopes
// (4,000/s) would take the node's whole CPU. Two things keep that cheap:
// - a header verified once is remembered with its result (its exp, or its failure): the
//   same header on the next envelope costs a lookup, whatever the flood repeats;
// - each header that fails its verification takes one unit of its subscription's budget of
//   failures (20 a second, bursts of 40); while it is spent, headers not seen before are
//   dropped without a verification. Honest senders do not fail, so a burst of real messages
//   with ever new JWTs (as web-push libraries sign them) is never cut; a forger's flood
//   spends the budget and then costs only the subscription it targets.
// Not thread-safe: the delivery hub's strand only.
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"
#include "rate_limiter.h"

namespace dhtpush::proxy {

class EnvelopeProofChecker {
public:
    explicit EnvelopeProofChecker(std::size_t remembered = 4096, double failuresPerSecond = 20);

    // checkEnvelopeVapid's answer for an envelope of `token` bound to `boundKey`, at nowUnix.
    // Unavailable (not Forbidden) when the subscription's budget of failures is spent.
    Status check(const std::string& token, const std::string& boundKey, const node::Envelope& envelope,
                 std::int64_t nowUnix);
    std::uint64_t signatureChecks() const { return signatureChecks_; }

private:
    void remember(const std::string& key, std::int64_t exp);

    std::size_t capacity_;
    RateLimiter budget_;
    std::list<std::string> byUse_;  // least recently used first
    struct Entry {
        std::int64_t exp;  // 0: the header failed
        std::list<std::string>::iterator use;
    };
    std::unordered_map<std::string, Entry> results_;
    std::uint64_t signatureChecks_{0};
};

}  // namespace dhtpush::proxy
