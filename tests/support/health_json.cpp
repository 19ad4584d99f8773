#include "health_json.h"

#include "dhtpush/client/http_client.h"
#include "dhtpush/node/json.h"

namespace dhtpush::test {

std::optional<Json::Value> healthJson(const std::string& baseUrl) {
    auto response = client::httpRequest({"GET", baseUrl + "/health", {}, {}});
    if (!response || response->status != 200) return std::nullopt;
    auto json = node::parseJson(response->body);
    if (!json) return std::nullopt;
    return *json;
}

}  // namespace dhtpush::test
