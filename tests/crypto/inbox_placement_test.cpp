#include "dhtpush/crypto/inbox_placement.h"

#include <stdexcept>

#include "dhtpush/crypto/random.h"

#include <catch2/catch.hpp>

using namespace dhtpush::crypto;

namespace {

DhtKey randomKey() {
    const auto bytes = randomBytes(20);
    DhtKey key;
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

}  // namespace

TEST_CASE("an inbox's key is the DHT key of every token in that inbox", "[crypto][inbox]") {
    const auto inbox = randomBytes(INBOX_ID_BYTES);
    const auto key = inboxKey(inbox);
    REQUIRE(key);
    CHECK(*key == SubscriptionToken::generateInInbox(inbox)->dhtKey());
    CHECK_FALSE(inboxKey(Bytes(INBOX_ID_BYTES - 1, 1)));
    CHECK_FALSE(inboxKey(Bytes(INBOX_ID_BYTES + 1, 1)));
}

TEST_CASE("sharedPrefixBits counts the leading bits two keys have in common", "[crypto][inbox]") {
    DhtKey a{};
    auto b = a;
    CHECK(sharedPrefixBits(a, b) == 160);
    b[0] = 0x80;
    CHECK(sharedPrefixBits(a, b) == 0);
    b[0] = 0x01;
    CHECK(sharedPrefixBits(a, b) == 7);
    b[0] = 0;
    b[2] = 0x20;
    CHECK(sharedPrefixBits(a, b) == 18);
    b[2] = 0;
    b[19] = 1;
    CHECK(sharedPrefixBits(a, b) == 159);
}

TEST_CASE("an inbox id placed near a node id has a key sharing that many leading bits", "[crypto][inbox]") {
    const auto node = randomKey();
    const unsigned bits = GENERATE(0u, 4u, 12u, INBOX_PLACEMENT_BITS);
    const auto id = inboxIdNear(node, bits);
    REQUIRE(id.size() == INBOX_ID_BYTES);
    CHECK(sharedPrefixBits(*inboxKey(id), node) >= bits);
    // Fresh each time: two inboxes near one node are two inboxes.
    CHECK(inboxIdNear(node, bits) != id);
}

TEST_CASE("inbox placement refuses more bits than it could grind in reasonable time", "[crypto][inbox]") {
    CHECK_THROWS_AS(inboxIdNear(randomKey(), 33), std::invalid_argument);
}
