#pragma once
// The report's table of how long each section of scripts/bench took (sections.jsonl, one
// {"section", "seconds"} line each), so that what a full run costs is measured, not guessed
// (issue 14: the full bench under 15 minutes).
#include <json/json.h>

#include <ostream>

namespace dhtpush::bench {

// `sections`: the lines of sections.jsonl, in the order they ran; nothing is written when empty.
void sectionsTable(std::ostream& md, const Json::Value& sections);

}  // namespace dhtpush::bench
