#pragma once
// The JSON form of a delivered message, as the device API streams it (docs/protocol.md).
#include <string>
#include <string_view>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::node {

struct DeliveredMessage {
    std::string token;  // the subscription it was sent to
    Envelope envelope;
};

std::string messageToJson(const DeliveredMessage& message);
// Fails on malformed JSON, missing or mistyped fields and bad base64url.
Expected<DeliveredMessage> messageFromJson(std::string_view text);

}  // namespace dhtpush::node
