#include "dhtpush/node/message_json.h"

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/node/json.h"

namespace dhtpush::node {

// Built by hand: it runs once per message on the way to every connected device, and
// Json::Value with a stream writer costs more than the rest of that path.
std::string messageToJson(const DeliveredMessage& m) {
    const auto& e = m.envelope;
    std::string out;
    out.reserve(160 + m.token.size() + e.body.size() * 4 / 3);
    out += "{\"id\":";
    appendJsonString(out, e.idText());
    out += ",\"token\":";
    appendJsonString(out, m.token);
    out += ",\"created_ms\":" + std::to_string(e.createdMs) + ",\"ttl\":" + std::to_string(e.ttlSeconds);
    out += ",\"urgency\":";
    appendJsonString(out, urgencyName(e.urgency));
    if (!e.topic.empty()) {
        out += ",\"topic\":";
        appendJsonString(out, e.topic);
    }
    if (!e.encoding.empty()) {
        out += ",\"encoding\":";
        appendJsonString(out, e.encoding);
    }
    out += ",\"body\":";
    appendJsonString(out, crypto::base64urlEncode(e.body));
    out += '}';
    return out;
}

Expected<DeliveredMessage> messageFromJson(std::string_view text) {
    auto parsed = parseJson(text);
    if (!parsed) return parsed.error();
    const auto& v = *parsed;
    auto bad = [](const char* what) { return makeError(Errc::Invalid, std::string("message: ") + what); };
    if (!v.isObject()) return bad("not an object");
    if (!v["id"].isString() || !v["token"].isString() || !v["body"].isString() || !v["ttl"].isUInt() ||
        !v["created_ms"].isUInt64() || !v["urgency"].isString())
        return bad("missing or mistyped field");
    DeliveredMessage m;
    m.token = v["token"].asString();
    auto id = crypto::base64urlDecode(v["id"].asString());
    auto body = crypto::base64urlDecode(v["body"].asString());
    auto urgency = parseUrgency(v["urgency"].asString());
    if (!id || !body || !urgency) return bad("bad id, body or urgency");
    m.envelope.id = std::move(*id);
    m.envelope.body = std::move(*body);
    m.envelope.urgency = *urgency;
    m.envelope.ttlSeconds = v["ttl"].asUInt();
    m.envelope.createdMs = v["created_ms"].asUInt64();
    if (v.isMember("topic")) {
        if (!v["topic"].isString()) return bad("topic must be a string");
        m.envelope.topic = v["topic"].asString();
    }
    if (v.isMember("encoding")) {
        if (!v["encoding"].isString()) return bad("encoding must be a string");
        m.envelope.encoding = v["encoding"].asString();
    }
    return m;
}

}  // namespace dhtpush::node
