#pragma once
// Limits of the device API (docs/protocol.md, *Device API*) that a proxy enforces and its
// clients must keep to.
#include <cstddef>

namespace dhtpush::node {

// Message ids one POST /v1/devices/{id}/acks may carry; a client acks more in as many requests.
constexpr std::size_t MAX_ACK_IDS = 1000;
// The longest message id an ack may name.
constexpr std::size_t MAX_ACK_ID_CHARS = 64;

}  // namespace dhtpush::node
