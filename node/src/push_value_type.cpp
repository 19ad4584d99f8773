#include "dhtpush/node/push_value_type.h"

#include "dhtpush/node/envelope.h"
#include "dhtpush/node/envelope_batch.h"

namespace dhtpush::node {

dht::ValueType pushValueType(std::chrono::seconds expiration) {
    auto storePolicy = [](dht::InfoHash, const std::shared_ptr<dht::Value>& value, const dht::InfoHash&,
                          const dht::SockAddr&) {
        // Storing nodes that know the type refuse junk, so hostile peers cannot fill keys with it.
        return value && value->data.size() <= MAX_ENVELOPE_BYTES && decodeEnvelope(value->data).ok();
    };
    return dht::ValueType(PUSH_VALUE_TYPE_ID, "dhtpush envelope", expiration, storePolicy);
}

dht::ValueType pushBatchValueType(std::chrono::seconds expiration) {
    auto storePolicy = [](dht::InfoHash, const std::shared_ptr<dht::Value>& value, const dht::InfoHash&,
                          const dht::SockAddr&) {
        return value && value->data.size() <= MAX_BATCH_BYTES && decodeBatch(value->data.data(), value->data.size()).ok();
    };
    return dht::ValueType(PUSH_BATCH_VALUE_TYPE_ID, "dhtpush envelope batch", expiration, storePolicy);
}

}  // namespace dhtpush::node
