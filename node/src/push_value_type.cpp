#include "dhtpush/node/push_value_type.h"

#include "dhtpush/crypto/random.h"

#include "dhtpush/node/envelope.h"
#include "dhtpush/node/envelope_batch.h"

namespace dhtpush::node {
namespace {

// Storing nodes that know the types refuse junk, so hostile peers cannot fill keys with it,
// and what does not fit their budget (checked last: junk costs no room).
bool admitted(const StorageAdmission& admit, const dht::InfoHash& key, const dht::Value& value) {
    return !admit || admit(key, value.size());
}
}  // namespace

dht::ValueType pushValueType(std::chrono::seconds expiration, StorageAdmission admit) {
    auto storePolicy = [admit = std::move(admit)](dht::InfoHash key, const std::shared_ptr<dht::Value>& value,
                                                  const dht::InfoHash&, const dht::SockAddr&) {
        return value && value->data.size() <= MAX_ENVELOPE_BYTES && decodeEnvelope(value->data).ok() &&
               admitted(admit, key, *value);
    };
    return dht::ValueType(PUSH_VALUE_TYPE_ID, "dhtpush envelope", expiration, storePolicy);
}

dht::ValueType pushBatchValueType(std::chrono::seconds expiration, StorageAdmission admit) {
    auto storePolicy = [admit = std::move(admit)](dht::InfoHash key, const std::shared_ptr<dht::Value>& value,
                                                  const dht::InfoHash&, const dht::SockAddr&) {
        return value && value->data.size() <= MAX_BATCH_BYTES &&
               decodeBatch(value->data.data(), value->data.size()).ok() && admitted(admit, key, *value);
    };
    return dht::ValueType(PUSH_BATCH_VALUE_TYPE_ID, "dhtpush envelope batch", expiration, storePolicy);
}

dht::Value::Id randomPushValueId() {
    const auto id = crypto::randomUint64();
    return id == dht::Value::INVALID_ID ? 1 : id;
}

PushValueKind pushValueKind(const dht::Value& value) {
    if (value.type == PUSH_VALUE_TYPE_ID) return PushValueKind::Envelope;
    if (value.type == PUSH_BATCH_VALUE_TYPE_ID) return PushValueKind::Batch;
    if (value.type == dht::ValueType::USER_DATA.id) {
        if (value.user_type == PUSH_ENVELOPE_USER_TYPE) return PushValueKind::Envelope;
        if (value.user_type == PUSH_BATCH_USER_TYPE) return PushValueKind::Batch;
    }
    return PushValueKind::None;
}

}  // namespace dhtpush::node
