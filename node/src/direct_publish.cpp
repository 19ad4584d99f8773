#include "dhtpush/node/direct_publish.h"

#include <chrono>

#include "dhtpush/node/envelope_batch.h"
#include "dhtpush/node/push_value_type.h"

namespace dhtpush::node {

dht::InfoHash pushKeyFor(const crypto::SubscriptionToken& token) {
    const auto key = token.dhtKey();  // lane 0 of an inbox is the inbox key itself
    return dht::InfoHash(key.data(), key.size());
}

std::shared_ptr<dht::Value> pushValueFor(const crypto::SubscriptionToken& token, const Envelope& envelope,
                                         const InboxKeys& keys, std::int64_t unixSeconds) {
    if (!token.inInbox())
        return std::make_shared<dht::Value>(PUSH_VALUE_TYPE_ID, encodeEnvelope(envelope), envelopeValueId(envelope));
    auto value = std::make_shared<dht::Value>(PUSH_BATCH_VALUE_TYPE_ID,
                                              encodeBatch({{token.recipient(), encodeEnvelope(envelope)}}), randomPushValueId());
    value->user_type = keys.slotTag(unixSeconds);
    return value;
}

std::shared_ptr<dht::Value> pushValueFor(const crypto::SubscriptionToken& token, const Envelope& envelope,
                                         const InboxKeys& keys) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return pushValueFor(token, envelope, keys, std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

void publishToToken(dht::DhtRunner& runner, const crypto::SubscriptionToken& token, const Envelope& envelope,
                    std::function<void(bool stored)> done, const InboxKeys& keys) {
    runner.put(pushKeyFor(token), pushValueFor(token, envelope, keys), [done = std::move(done)](bool ok) {
        if (done) done(ok);
    });
}

}  // namespace dhtpush::node
