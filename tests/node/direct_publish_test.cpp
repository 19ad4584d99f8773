// The value a peer without HTTP puts (node::pushValueFor): the protocol's types, ids and data.
#include "dhtpush/node/direct_publish.h"

#include "dhtpush/crypto/random.h"
#include "dhtpush/node/envelope_batch.h"
#include "dhtpush/node/push_value_type.h"

#include <catch2/catch.hpp>

using namespace dhtpush;

namespace {
node::Envelope someEnvelope() {
    node::Envelope e;
    e.id = crypto::randomBytes(node::MESSAGE_ID_BYTES);
    e.createdMs = 1795647600123;
    e.ttlSeconds = 60;
    e.body = {1, 2, 3};
    return e;
}
}  // namespace

TEST_CASE("a version-1 token's message goes as an envelope value at the token's own key", "[node][protocol]") {
    const auto token = crypto::SubscriptionToken::generate();
    const auto envelope = someEnvelope();
    const auto value = node::pushValueFor(token, envelope);
    CHECK(value->type == node::PUSH_VALUE_TYPE_ID);
    CHECK(value->id == node::envelopeValueId(envelope));
    const auto decoded = node::decodeEnvelope(value->data);
    REQUIRE(decoded.ok());
    CHECK(decoded->id == envelope.id);
    const auto key = token.dhtKey();
    CHECK(node::pushKeyFor(token) == dht::InfoHash(key.data(), key.size()));
}

TEST_CASE("an inbox token's message goes as a batch of one for its recipient at the inbox key", "[node][protocol]") {
    const auto token = *crypto::SubscriptionToken::generateInInbox(crypto::randomBytes(crypto::INBOX_ID_BYTES));
    const auto envelope = someEnvelope();
    const auto value = node::pushValueFor(token, envelope);
    CHECK(value->type == node::PUSH_BATCH_VALUE_TYPE_ID);
    CHECK(value->id != dht::Value::INVALID_ID);
    const auto batch = node::decodeBatch(value->data.data(), value->data.size());
    REQUIRE(batch.ok());
    REQUIRE(batch->size() == 1);
    CHECK((*batch)[0].recipient == token.recipient());
    CHECK((*batch)[0].envelope.id == envelope.id);
    const auto key = token.dhtKey();
    CHECK(node::pushKeyFor(token) == dht::InfoHash(key.data(), key.size()));
}

TEST_CASE("a slotted network's inbox value carries the sender's minute, other schemes' none", "[node][protocol]") {
    const auto inboxToken = *crypto::SubscriptionToken::generateInInbox(crypto::randomBytes(crypto::INBOX_ID_BYTES));
    const node::InboxKeys slotted(node::InboxKeyScheme::Slotted);
    const std::int64_t at = 1796455800;  // minute 29,940,930
    CHECK(node::pushValueFor(inboxToken, someEnvelope(), slotted, at)->user_type == "s29940930");
    CHECK(node::pushValueFor(inboxToken, someEnvelope(), slotted, at + 60)->user_type == "s29940931");
    CHECK(node::pushValueFor(inboxToken, someEnvelope())->user_type.empty());  // lanes
    CHECK(node::pushValueFor(inboxToken, someEnvelope(), node::InboxKeys(node::InboxKeyScheme::Wide), at)->user_type.empty());
    // A version-1 key is one listen of its own, never slotted.
    CHECK(node::pushValueFor(crypto::SubscriptionToken::generate(), someEnvelope(), slotted, at)->user_type.empty());
}
