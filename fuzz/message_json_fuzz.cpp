// parseJson and messageFromJson on hostile text; an accepted message must survive
// messageToJson → messageFromJson unchanged (the proxy writes what the client reads).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dhtpush/node/json.h"
#include "dhtpush/node/message_json.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (const auto json = dhtpush::node::parseJson(text)) (void)dhtpush::node::writeJson(*json);

    const auto first = dhtpush::node::messageFromJson(text);
    if (!first) return 0;
    const auto second = dhtpush::node::messageFromJson(dhtpush::node::messageToJson(*first));
    check(second.ok(), "messageToJson output is not accepted by messageFromJson");

    const auto& a = *first;
    const auto& b = *second;
    check(a.token == b.token, "round trip changed token");
    check(a.envelope.id == b.envelope.id, "round trip changed id");
    check(a.envelope.createdMs == b.envelope.createdMs, "round trip changed createdMs");
    check(a.envelope.ttlSeconds == b.envelope.ttlSeconds, "round trip changed ttlSeconds");
    check(a.envelope.urgency == b.envelope.urgency, "round trip changed urgency");
    check(a.envelope.topic == b.envelope.topic, "round trip changed topic");
    check(a.envelope.encoding == b.envelope.encoding, "round trip changed encoding");
    check(a.envelope.body == b.envelope.body, "round trip changed body");
    return 0;
}
