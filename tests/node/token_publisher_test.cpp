// Publishing by token over the in-memory PushNetwork (tests/support/fake_push_network.h): where
// a token's message goes, and the node's refusals as values. Over HTTP and a real DHT the same
// refusals are in tests/integration/request_limits_test.cpp.
#include "dhtpush/node/token_publisher.h"

#include <set>

#include "dhtpush/crypto/random.h"
#include "fake_push_network.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using dhtpush::node::TokenPublisher;

namespace {
node::Envelope envelope() { return node::Envelope::create(60, node::Urgency::Normal, "", "", crypto::toBytes("x")); }
}  // namespace

TEST_CASE("publisher: a node that is not connected, or has too many puts under way, says so", "[node][publisher]") {
    test::FakePushNetwork network;
    TokenPublisher publisher(network, node::PublishLimits{false, 10, 100}, [](const crypto::DhtKey&) { return false; });
    CHECK_FALSE(publisher.ready());
    network.connected_ = false;
    auto refused = publisher.ready();
    REQUIRE(refused);
    CHECK(refused->error.code == Errc::Unavailable);
    CHECK(refused->retryAfter.count() == 0);
    TokenPublisher standalone(network, node::PublishLimits{true, 10, 100}, [](const crypto::DhtKey&) { return false; });
    CHECK_FALSE(standalone.ready());  // a node without peers is not refused for it
    network.connected_ = true;
    network.backlog_ = 10;
    refused = publisher.ready();
    REQUIRE(refused);
    CHECK(refused->retryAfter.count() == 1);
}

TEST_CASE("publisher: distinct keys past the budget are refused, except keys this node watches", "[node][publisher]") {
    test::FakePushNetwork network;
    const auto watched = crypto::SubscriptionToken::generate();
    TokenPublisher publisher(network, node::PublishLimits{false, 10, 2},
                             [&](const crypto::DhtKey& key) { return key == watched.dhtKey(); });
    const auto a = crypto::SubscriptionToken::generate(), b = crypto::SubscriptionToken::generate(),
               c = crypto::SubscriptionToken::generate();
    CHECK(publisher.takesNewKey(a));
    CHECK_FALSE(publisher.admit(a));
    CHECK_FALSE(publisher.takesNewKey(a));  // counted now: reusing it is free
    CHECK_FALSE(publisher.admit(b));
    auto refused = publisher.admit(c);
    REQUIRE(refused);
    CHECK(refused->error.code == Errc::Unavailable);
    CHECK(refused->retryAfter.count() == 60);
    CHECK_FALSE(publisher.admit(a));  // a counted key still goes
    CHECK_FALSE(publisher.takesNewKey(watched));
    CHECK_FALSE(publisher.admit(watched));  // the node's own subscriptions are never shut off
}

TEST_CASE("publisher: a token's message goes to its key, for its recipient inside an inbox", "[node][publisher]") {
    test::FakePushNetwork network;
    TokenPublisher publisher(network, node::PublishLimits{}, [](const crypto::DhtKey&) { return false; });
    const auto inInbox = *crypto::SubscriptionToken::generateInInbox(crypto::randomBytes(crypto::INBOX_ID_BYTES));
    crypto::Bytes heardFor;
    network.watch(inInbox.dhtKey(), node::KeyKind::Inbox,
                  [&](const crypto::Bytes& recipient, const node::Envelope&) { heardFor = recipient; });
    bool stored = false;
    publisher.publish(inInbox, envelope(), [&](bool ok) { stored = ok; });
    CHECK(stored);
    CHECK(heardFor == inInbox.recipient());
}
