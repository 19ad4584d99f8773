#pragma once
// The OpenDHT value types that carry envelopes: one envelope (at a version-1 token's key)
// or a batch (at an inbox key), each with its own id, expiration and a store policy that
// refuses anything that is not valid.
#include <opendht/value.h>

#include <chrono>
#include <cstddef>
#include <functional>

namespace dhtpush::node {

constexpr dht::ValueType::Id PUSH_VALUE_TYPE_ID = 0x7055;        // "pU"
constexpr dht::ValueType::Id PUSH_BATCH_VALUE_TYPE_ID = 0x7056;  // "pV"

// A peer whose OpenDHT binding cannot set a value's type (Debian's python3-opendht 2.4 puts
// every value as type 0, USER_DATA) may put an envelope or a batch as USER_DATA with one of
// these user types; watchers take it as the type it names. Storing nodes keep such a value
// under OpenDHT's own policy for USER_DATA, not this node's checks and budget.
constexpr const char* PUSH_ENVELOPE_USER_TYPE = "dhtpush/envelope";
constexpr const char* PUSH_BATCH_USER_TYPE = "dhtpush/batch";

// A random value id for a batch (or a probe): never OpenDHT's "no id", 0.
dht::Value::Id randomPushValueId();

enum class PushValueKind { None, Envelope, Batch };
PushValueKind pushValueKind(const dht::Value& value);

// Whether this node has room for a valid value of `bytes` at the key (its storage budget);
// empty: always.
using StorageAdmission = std::function<bool(const dht::InfoHash& key, std::size_t bytes)>;

dht::ValueType pushValueType(std::chrono::seconds expiration, StorageAdmission admit = {});
dht::ValueType pushBatchValueType(std::chrono::seconds expiration, StorageAdmission admit = {});

}  // namespace dhtpush::node
