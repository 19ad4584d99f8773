#include "dhtpush/node/direct_publish.h"

#include "dhtpush/node/envelope_batch.h"
#include "dhtpush/node/push_value_type.h"

namespace dhtpush::node {

dht::InfoHash pushKeyFor(const crypto::SubscriptionToken& token) {
    const auto key = token.dhtKey();  // lane 0 of an inbox is the inbox key itself
    return dht::InfoHash(key.data(), key.size());
}

std::shared_ptr<dht::Value> pushValueFor(const crypto::SubscriptionToken& token, const Envelope& envelope) {
    if (!token.inInbox())
        return std::make_shared<dht::Value>(PUSH_VALUE_TYPE_ID, encodeEnvelope(envelope), envelopeValueId(envelope));
    return std::make_shared<dht::Value>(PUSH_BATCH_VALUE_TYPE_ID,
                                        encodeBatch({{token.recipient(), encodeEnvelope(envelope)}}), randomPushValueId());
}

void publishToToken(dht::DhtRunner& runner, const crypto::SubscriptionToken& token, const Envelope& envelope,
                    std::function<void(bool stored)> done) {
    runner.put(pushKeyFor(token), pushValueFor(token, envelope), [done = std::move(done)](bool ok) {
        if (done) done(ok);
    });
}

}  // namespace dhtpush::node
