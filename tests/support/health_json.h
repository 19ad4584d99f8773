#pragma once
// A node's GET /health, parsed: what integration tests read their counters from.
#include <json/json.h>

#include <optional>
#include <string>

namespace dhtpush::test {

// The JSON of `baseUrl`/health; nullopt when no 200 came or the body is not JSON.
std::optional<Json::Value> healthJson(const std::string& baseUrl);

}  // namespace dhtpush::test
