#pragma once
// The report's table for scripts/bench's section 2b: a proxy started on a database seeded with
// a million subscriptions (bench/seed_store.h).
#include <json/json.h>

#include <ostream>

namespace dhtpush::bench {

// `run`: million.json; null when the section did not run.
void millionTable(std::ostream& md, const Json::Value& run);

}  // namespace dhtpush::bench
