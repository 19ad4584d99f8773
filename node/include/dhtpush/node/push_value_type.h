#pragma once
// The OpenDHT value type that carries envelopes: its own id, expiration and a store
// policy that refuses anything that is not a valid envelope.
#include <opendht/value.h>

#include <chrono>

namespace dhtpush::node {

constexpr dht::ValueType::Id PUSH_VALUE_TYPE_ID = 0x7055;  // "pU"

dht::ValueType pushValueType(std::chrono::seconds expiration);

}  // namespace dhtpush::node
