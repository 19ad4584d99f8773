// decodeEnvelope on hostile bytes; whatever it accepts must survive encode → decode unchanged.
#include <cstddef>
#include <cstdint>

#include "dhtpush/node/envelope.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;
using dhtpush::node::Envelope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto first = dhtpush::node::decodeEnvelope(data, size);
    if (!first) return 0;

    const auto encoded = dhtpush::node::encodeEnvelope(*first);
    check(encoded.size() <= dhtpush::node::MAX_ENVELOPE_BYTES, "re-encoded envelope above 8192 bytes");
    const auto second = dhtpush::node::decodeEnvelope(encoded);
    check(second.ok(), "a decoded envelope, re-encoded, does not decode");

    const Envelope& a = *first;
    const Envelope& b = *second;
    check(a.id == b.id, "round trip changed id");
    check(a.createdMs == b.createdMs, "round trip changed createdMs");
    check(a.ttlSeconds == b.ttlSeconds, "round trip changed ttlSeconds");
    check(a.urgency == b.urgency, "round trip changed urgency");
    check(a.topic == b.topic, "round trip changed topic");
    check(a.encoding == b.encoding, "round trip changed encoding");
    check(a.body == b.body, "round trip changed body");
    return 0;
}
