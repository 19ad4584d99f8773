#include "dhtpush/client/device_client.h"

#include <algorithm>

#include "dhtpush/client/http_client.h"
#include "dhtpush/client/sse_parser.h"
#include "dhtpush/node/device_api.h"
#include "dhtpush/node/json.h"

namespace dhtpush::client {
namespace {

std::string trimSlash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

std::string bearer(const ProxyAccount& account) { return "Authorization: Bearer " + account.secret; }

Errc errcForStatus(long status) {
    switch (status) {
        case 400: return Errc::Invalid;
        case 401: return Errc::Unauthorized;
        case 403: return Errc::Forbidden;
        case 404: return Errc::NotFound;
        case 409: return Errc::Conflict;
        case 413: return Errc::TooLarge;
        case 415: return Errc::UnsupportedEncoding;
        case 429: return Errc::QuotaExceeded;
        case 503: return Errc::Unavailable;
        case 507: return Errc::StorageFull;
        default: return Errc::Internal;
    }
}

}  // namespace

Error errorFromResponse(long status, const std::string& body) {
    std::string detail = "HTTP " + std::to_string(status);
    if (auto json = node::parseJson(body); json && json->isObject() && (*json)["detail"].isString())
        detail += ": " + (*json)["detail"].asString();
    return makeError(errcForStatus(status), detail);
}

Expected<ProxyAccount> attachDevice(const std::string& proxyUrl) {
    const auto base = trimSlash(proxyUrl);
    auto response = httpRequest({"POST", base + "/v1/devices", {}, {}});
    if (!response) return response.error();
    if (response->status != 201) return errorFromResponse(response->status, response->body);
    auto json = node::parseJson(response->body);
    if (!json || !(*json)["device_id"].isString() || !(*json)["secret"].isString())
        return makeError(Errc::Malformed, "the proxy answered an unexpected body");
    return ProxyAccount{base, (*json)["device_id"].asString(), (*json)["secret"].asString()};
}

Expected<CreatedSubscription> addSubscription(const ProxyAccount& account, const std::string& token,
                                              const std::string& vapidKey) {
    Json::Value body(Json::objectValue);
    if (!token.empty()) body["token"] = token;
    if (!vapidKey.empty()) body["vapid_key"] = vapidKey;
    auto response = httpRequest({"POST", account.url + "/v1/devices/" + account.deviceId + "/subscriptions",
                                 {bearer(account), "Content-Type: application/json"}, node::writeJson(body)});
    if (!response) return response.error();
    if (response->status != 201) return errorFromResponse(response->status, response->body);
    auto json = node::parseJson(response->body);
    if (!json || !(*json)["token"].isString() || !(*json)["endpoint"].isString())
        return makeError(Errc::Malformed, "the proxy answered an unexpected body");
    return CreatedSubscription{(*json)["token"].asString(), (*json)["endpoint"].asString()};
}

Status removeSubscription(const ProxyAccount& account, const std::string& token) {
    auto response = httpRequest(
        {"DELETE", account.url + "/v1/devices/" + account.deviceId + "/subscriptions/" + token, {bearer(account)}, {}});
    if (!response) return response.error();
    if (response->status != 204) return errorFromResponse(response->status, response->body);
    return success();
}

Status detachDevice(const ProxyAccount& account) {
    auto response = httpRequest({"DELETE", account.url + "/v1/devices/" + account.deviceId, {bearer(account)}, {}});
    if (!response) return response.error();
    if (response->status != 204 && response->status != 404) return errorFromResponse(response->status, response->body);
    return success();
}

Status streamMessages(const ProxyAccount& account, const std::function<bool(const node::DeliveredMessage&)>& onMessage,
                      const std::atomic<bool>& stop, std::string* lastEventId, node::Urgency minUrgency,
                      const std::function<void()>& onOpen) {
    bool taking = true;
    bool opened = false;
    SseParser parser([&](const SseEvent& event) {
        if (!taking || event.type != "message") return;
        auto message = node::messageFromJson(event.data);
        if (message && !onMessage(*message)) {
            taking = false;
            return;
        }
        if (lastEventId && !event.id.empty()) *lastEventId = event.id;
    });
    std::string url = account.url + "/v1/devices/" + account.deviceId + "/events";
    if (minUrgency != node::Urgency::VeryLow) url += "?urgency=" + std::string(node::urgencyName(minUrgency));
    HttpRequest request{"GET", std::move(url), {bearer(account), "Accept: text/event-stream"}, {}};
    if (lastEventId && !lastEventId->empty()) request.headers.push_back("Last-Event-ID: " + *lastEventId);
    auto response = httpStream(request,
                               [&](std::string_view chunk) {
                                   if (!opened && onOpen) onOpen();
                                   opened = true;
                                   parser.feed(chunk);
                                   return taking;
                               },
                               stop);
    if (!response) return response.error();
    if (response->status != 200) return errorFromResponse(response->status, response->body);
    return success();
}

Status acknowledge(const ProxyAccount& account, const std::vector<std::string>& messageIds) {
    // A request takes at most MAX_ACK_IDS: a backlog collected at once (a full mailbox and
    // what came meanwhile) is acked in as many requests. An ack is idempotent, so a caller
    // that sends them all again after a failure loses nothing.
    for (std::size_t from = 0; from < messageIds.size(); from += node::MAX_ACK_IDS) {
        const auto to = std::min(messageIds.size(), from + node::MAX_ACK_IDS);
        Json::Value body(Json::objectValue);
        body["ids"] = Json::Value(Json::arrayValue);
        for (auto i = from; i < to; ++i) body["ids"].append(messageIds[i]);
        auto response = httpRequest({"POST", account.url + "/v1/devices/" + account.deviceId + "/acks",
                                     {bearer(account), "Content-Type: application/json"}, node::writeJson(body)});
        if (!response) return response.error();
        if (response->status != 200) return errorFromResponse(response->status, response->body);
    }
    return success();
}

}  // namespace dhtpush::client
