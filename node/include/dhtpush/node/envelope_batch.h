#pragma once
// The DHT value at an inbox key (version-2 tokens): envelopes for several recipients of the
// inbox in one value, so a sender puts once for every message that arrived while its last
// put to that inbox was in flight.
// msgpack: {"v": 1, "m": [[recipient (bin 16), envelope (bin, encodeEnvelope)], ...]}
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::node {

constexpr std::uint8_t BATCH_VERSION = 1;
// OpenDHT refuses values above 64 KiB; the rest is room for its own fields.
constexpr std::size_t MAX_BATCH_BYTES = 60 * 1024;
constexpr std::size_t MAX_BATCH_ENTRIES = 256;

struct BatchEntry {
    crypto::Bytes recipient;  // crypto::RECIPIENT_BYTES
    crypto::Bytes envelope;   // encodeEnvelope()
};

// What one entry adds to an encoded batch, at most: to cut batches below MAX_BATCH_BYTES.
std::size_t batchEntryBytes(const BatchEntry& entry);
crypto::Bytes encodeBatch(const std::vector<BatchEntry>& entries);

struct AddressedEnvelope {
    crypto::Bytes recipient;
    Envelope envelope;
};
// All or nothing: one bad entry (or too many, or too large) refuses the value, as a
// storing node's policy does.
Expected<std::vector<AddressedEnvelope>> decodeBatch(const std::uint8_t* data, std::size_t size);

}  // namespace dhtpush::node
