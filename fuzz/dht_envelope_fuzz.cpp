// What a device's proxy does with a hostile DHT value before anything is stored: decode,
// hold its times against our clock, check its VAPID proof for a bound key (through the
// proof cache and budget). None of it may crash, overflow, or let through an envelope that
// is created too far ahead or carries a TTL above the maximum.
#include <cstddef>
#include <cstdint>

#include "dhtpush/node/envelope.h"
#include "envelope_proof_checker.h"
#include "envelope_time.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;

namespace {

constexpr std::uint64_t NOW_MS = 1700000000000;
// A real P-256 point (RFC 8292's example key): proofs must verify against it to pass.
const std::string BOUND_KEY =
    "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto envelope = dhtpush::node::decodeEnvelope(data, size);
    if (!envelope) return 0;
    const dhtpush::proxy::EnvelopeTimeRules rules{std::chrono::seconds(60), 3600};
    if (!dhtpush::proxy::boundEnvelopeTime(*envelope, NOW_MS, rules)) return 0;
    check(envelope->createdMs <= NOW_MS + 60000, "an envelope created too far ahead passed");
    check(envelope->ttlSeconds <= 3600, "a TTL above the maximum passed");
    check(dhtpush::proxy::orderingTimeMs(*envelope, NOW_MS) <= static_cast<std::int64_t>(NOW_MS),
          "an ordering time after now");
    (void)envelope->expiredAt(std::chrono::system_clock::time_point(std::chrono::milliseconds(NOW_MS)));
    static dhtpush::proxy::EnvelopeProofChecker checker;
    (void)checker.check("token", BOUND_KEY, *envelope, static_cast<std::int64_t>(NOW_MS / 1000));
    return 0;
}
