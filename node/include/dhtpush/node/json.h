#pragma once
// Strict JSON in and compact JSON out, for every JSON boundary of dhtpush.
#include <json/json.h>

#include <string>
#include <string_view>

#include "dhtpush/expected.h"

namespace dhtpush::node {

constexpr std::size_t MAX_JSON_BYTES = 64 * 1024;

// Rejects comments, trailing garbage, duplicate keys, nesting deeper than 16 and
// documents above MAX_JSON_BYTES.
Expected<Json::Value> parseJson(std::string_view text);
// One line, no trailing newline.
std::string writeJson(const Json::Value& value);
// Appends `text` as a JSON string literal (quoted, escaped), for hot paths that build a
// document by hand instead of through Json::Value.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace dhtpush::node
