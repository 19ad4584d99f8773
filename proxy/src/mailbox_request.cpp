#include "mailbox_request.h"

#include <charconv>

#include "dhtpush/node/json.h"

namespace dhtpush::proxy {

Expected<std::vector<std::string>> parseAcks(std::string_view body) {
    constexpr std::size_t MAX_IDS = 1000;
    auto json = node::parseJson(body);
    if (!json) return json.error();
    if (!json->isObject() || !(*json)["ids"].isArray())
        return makeError(Errc::Invalid, "the body must be {\"ids\": [\"<message id>\", ...]}");
    const auto& ids = (*json)["ids"];
    if (ids.empty() || ids.size() > MAX_IDS) return makeError(Errc::Invalid, "acknowledge 1 to 1000 message ids at a time");
    std::vector<std::string> out;
    for (const auto& id : ids) {
        if (!id.isString() || id.asString().empty() || id.asString().size() > 64)
            return makeError(Errc::Invalid, "message ids are non-empty strings of at most 64 characters");
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

}  // namespace dhtpush::proxy
