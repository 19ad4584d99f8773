#include "request_head_gate.h"

#include "dhtpush/node/json.h"
#include "problem.h"

namespace dhtpush::proxy {

std::string refusalResponse(const HeadRefusal& refusal) {
    Json::Value body(Json::objectValue);
    body["type"] = "about:blank";
    body["title"] = reasonPhrase(refusal.status);
    body["status"] = refusal.status;
    body["detail"] = refusal.detail;
    const auto json = node::writeJson(body);
    return "HTTP/1.1 " + std::to_string(refusal.status) + " " + reasonPhrase(refusal.status) +
           "\r\nContent-Type: application/problem+json\r\nContent-Length: " + std::to_string(json.size()) +
           "\r\nConnection: close\r\n\r\n" + json;
}

}  // namespace dhtpush::proxy
