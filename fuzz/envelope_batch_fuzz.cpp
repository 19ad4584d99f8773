// decodeBatch on hostile bytes (what a DHT peer can put at an inbox key); whatever it accepts
// must survive encode → decode unchanged.
#include <cstddef>
#include <cstdint>

#include "dhtpush/node/envelope_batch.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto first = dhtpush::node::decodeBatch(data, size);
    if (!first) return 0;
    check(!first->empty(), "an accepted batch is empty");

    std::vector<dhtpush::node::BatchEntry> entries;
    for (const auto& e : *first) entries.push_back({e.recipient, dhtpush::node::encodeEnvelope(e.envelope)});
    const auto encoded = dhtpush::node::encodeBatch(entries);
    check(encoded.size() <= dhtpush::node::MAX_BATCH_BYTES, "re-encoded batch above the limit");
    const auto second = dhtpush::node::decodeBatch(encoded.data(), encoded.size());
    check(second.ok(), "a decoded batch, re-encoded, does not decode");
    check(second->size() == first->size(), "round trip changed the entry count");
    for (std::size_t i = 0; i < first->size(); ++i) {
        check((*second)[i].recipient == (*first)[i].recipient, "round trip changed a recipient");
        check((*second)[i].envelope.id == (*first)[i].envelope.id, "round trip changed a message id");
        check((*second)[i].envelope.body == (*first)[i].envelope.body, "round trip changed a body");
    }
    return 0;
}
