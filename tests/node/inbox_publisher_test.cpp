#include "inbox_publisher.h"

#include <catch2/catch.hpp>

using dhtpush::crypto::Bytes;
using dhtpush::crypto::DhtKey;
using namespace dhtpush::node;

namespace {

// Records the puts; the test finishes them when it chooses, as the DHT would.
struct FakeDht {
    struct Put {
        DhtKey key;
        std::vector<AddressedEnvelope> entries;
        InboxPublisher::Done done;
    };
    std::vector<Put> puts;
    InboxPublisher::Put put() {
        return [this](const DhtKey& key, Bytes value, InboxPublisher::Done done) {
            auto decoded = decodeBatch(value.data(), value.size());
            REQUIRE(decoded.ok());
            puts.push_back({key, std::move(*decoded), std::move(done)});
        };
    }
    void finish(std::size_t i, bool ok = true) { puts.at(i).done(ok); }
};

DhtKey keyOf(std::uint8_t b) {
    DhtKey k{};
    k.fill(b);
    return k;
}

BatchEntry entry(std::uint8_t recipient, std::size_t bodyBytes = 10) {
    return {Bytes(16, recipient), encodeEnvelope(Envelope::create(60, Urgency::Normal, "", "", Bytes(bodyBytes, 'x')))};
}

}  // namespace

TEST_CASE("a lone message goes out at once, what arrives during the puts in flight shares the next value",
          "[node][inbox_publisher]") {
    FakeDht dht;
    InboxPublisher publisher(dht.put(), 2);
    std::vector<bool> results(6, false);
    auto done = [&](std::size_t i) { return [&results, i](bool ok) { results[i] = ok; }; };

    publisher.publish(keyOf(1), entry(0), done(0));
    REQUIRE(dht.puts.size() == 1);  // no wait for company
    publisher.publish(keyOf(1), entry(1), done(1));
    REQUIRE(dht.puts.size() == 2);  // a second put may be in flight
    for (std::uint8_t i = 2; i < 5; ++i) publisher.publish(keyOf(1), entry(i), done(i));
    CHECK(dht.puts.size() == 2);  // these wait
    CHECK(publisher.backlog() == 5);

    dht.finish(0);
    CHECK(results[0]);
    REQUIRE(dht.puts.size() == 3);
    CHECK(dht.puts[2].entries.size() == 3);  // the three waiting messages in one value
    CHECK(dht.puts[2].entries[0].recipient == Bytes(16, 2));
    CHECK(dht.puts[2].entries[2].recipient == Bytes(16, 4));

    dht.finish(2, false);  // a failed put fails each of its messages
    CHECK_FALSE(results[2]);
    CHECK_FALSE(results[4]);
    dht.finish(1);
    CHECK(results[1]);
    CHECK(publisher.backlog() == 0);
    CHECK(dht.puts.size() == 3);
}

TEST_CASE("inbox keys batch independently", "[node][inbox_publisher]") {
    FakeDht dht;
    InboxPublisher publisher(dht.put(), 1);
    publisher.publish(keyOf(1), entry(1), {});
    publisher.publish(keyOf(2), entry(2), {});
    REQUIRE(dht.puts.size() == 2);
    CHECK(dht.puts[0].key == keyOf(1));
    CHECK(dht.puts[1].key == keyOf(2));
    publisher.publish(keyOf(1), entry(3), {});
    CHECK(dht.puts.size() == 2);
    dht.finish(1);  // key 2's put ends: key 1's waiting message still waits for key 1's put
    CHECK(dht.puts.size() == 2);
    dht.finish(0);
    REQUIRE(dht.puts.size() == 3);
    CHECK(dht.puts[2].key == keyOf(1));
}

TEST_CASE("a value holds what fits under the size limit, the rest follows in the next one",
          "[node][inbox_publisher]") {
    FakeDht dht;
    InboxPublisher publisher(dht.put(), 1);
    publisher.publish(keyOf(1), entry(0), {});
    const std::size_t waiting = 40;  // 40 × 4 KiB: more than one 60 KiB value
    for (std::size_t i = 0; i < waiting; ++i) publisher.publish(keyOf(1), entry(1, MAX_BODY_BYTES), {});
    std::size_t sent = 0;
    for (std::size_t i = 0; i < dht.puts.size(); ++i) {
        if (i > 0) {
            sent += dht.puts[i].entries.size();
            CHECK(encodeBatch(std::vector<BatchEntry>(dht.puts[i].entries.size(), entry(1, MAX_BODY_BYTES))).size() <=
                  MAX_BATCH_BYTES);
        }
        dht.finish(i);
    }
    CHECK(sent == waiting);
    CHECK(dht.puts.size() >= 4);  // 1 lone + at least 3 values for 160 KiB
    CHECK(publisher.backlog() == 0);
}
