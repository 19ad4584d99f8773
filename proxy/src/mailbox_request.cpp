#include "mailbox_request.h"

#include <restinio/uri_helpers.hpp>

#include <charconv>

#include "dhtpush/node/device_api.h"
#include "dhtpush/node/json.h"

namespace dhtpush::proxy {

Expected<std::vector<std::string>> parseAcks(std::string_view body) {
    auto json = node::parseJson(body);
    if (!json) return json.error();
    if (!json->isObject() || !(*json)["ids"].isArray())
        return makeError(Errc::Invalid, "the body must be {\"ids\": [\"<message id>\", ...]}");
    const auto& ids = (*json)["ids"];
    if (ids.empty() || ids.size() > node::MAX_ACK_IDS)
        return makeError(Errc::Invalid, "acknowledge 1 to " + std::to_string(node::MAX_ACK_IDS) + " message ids at a time");
    std::vector<std::string> out;
    for (const auto& id : ids) {
        if (!id.isString() || id.asString().empty() || id.asString().size() > node::MAX_ACK_ID_CHARS)
            return makeError(Errc::Invalid, "message ids are non-empty strings of at most " +
                                                std::to_string(node::MAX_ACK_ID_CHARS) + " characters");
        out.push_back(id.asString());
    }
    return out;
}

std::int64_t parseLastEventId(std::optional<std::string_view> header) {
    if (!header) return 0;
    std::int64_t seq = 0;
    const auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), seq);
    if (ec != std::errc{} || end != header->data() + header->size() || seq < 0) return 0;
    return seq;
}

Expected<node::Urgency> parseStreamUrgency(std::string_view query) {
    auto params = restinio::try_parse_query<restinio::parse_query_traits::javascript_compatible>(query);
    if (!params) return makeError(Errc::Invalid, "the query string does not parse");
    const auto value = params->get_param("urgency");
    if (!value) return node::Urgency::VeryLow;
    auto urgency = node::parseUrgency(std::string_view(value->data(), value->size()));
    if (!urgency) return makeError(Errc::Invalid, "urgency must be very-low, low, normal or high");
    return *urgency;
}

}  // namespace dhtpush::proxy
