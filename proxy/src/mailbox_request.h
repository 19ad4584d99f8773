#pragma once
// Inputs of the mailbox part of the device API (acks, stream resume), parsed without I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::proxy {

// Body of POST /v1/devices/{id}/acks: {"ids": ["<message id>", ...]}, 1 to 1000 ids.
Expected<std::vector<std::string>> parseAcks(std::string_view body);

// Last-Event-ID of a resuming event stream: the seq after which to resume; 0 when absent or
// not a number (the device then gets everything unacked).
std::int64_t parseLastEventId(std::optional<std::string_view> header);

// Query of GET /v1/devices/{id}/events: `urgency=<very-low|low|normal|high>`, the lowest
// urgency the stream carries (messages below it wait in the mailbox for a stream that takes
// them: a device on battery asks for fewer wake-ups). Absent: very-low, every message. Other
// parameters are ignored. Invalid: a query that does not parse or an unknown urgency.
Expected<node::Urgency> parseStreamUrgency(std::string_view query);

}  // namespace dhtpush::proxy
