// The memory that holds what full mailboxes refused from the DHT: its bounds and its order.
#include "held_messages.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::proxy;

namespace {

MailboxEntry entry(const std::string& device, const std::string& id, std::size_t bytes, const std::string& token = "t") {
    MailboxEntry e;
    e.deviceId = device;
    e.token = token;
    e.messageId = id;
    e.envelope.assign(bytes, 0);
    return e;
}

std::vector<std::string> ids(const std::vector<MailboxEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.messageId);
    return out;
}

}  // namespace

TEST_CASE("held messages come out oldest first, and what found no room goes back in front", "[proxy][held]") {
    HeldMessages held(HeldLimits{100000, 100000});
    for (const char* id : {"a", "b", "c", "d"}) REQUIRE(held.hold(entry("dev", id, 10)));
    auto first = held.take("dev", 3);
    CHECK(ids(first) == std::vector<std::string>{"a", "b", "c"});
    CHECK(held.messages() == 1);
    held.putBack("dev", {first[1], first[2]});
    CHECK(held.messages() == 3);
    CHECK(held.bytes() == HeldMessages::sizeOf(first[0]) * 3);
    CHECK(ids(held.take("dev", 10)) == std::vector<std::string>{"b", "c", "d"});
    CHECK_FALSE(held.holds("dev"));
    CHECK(held.bytes() == 0);
}

TEST_CASE("one device holds at most its bound, and all devices the total", "[proxy][held]") {
    // In units of an entry of no envelope bytes (same-length names), so the bounds read as
    // envelope bytes beyond it.
    const auto base = HeldMessages::sizeOf(entry("d1", "1", 0));
    HeldMessages held(HeldLimits{2 * base + 100, 4 * base + 250});
    CHECK(held.hold(entry("d1", "1", 60)));
    CHECK_FALSE(held.hold(entry("d1", "2", 60)));  // past the device's 100
    CHECK(held.hold(entry("d1", "3", 40)));
    CHECK(held.hold(entry("d2", "4", 100)));
    CHECK_FALSE(held.hold(entry("d3", "5", 60)));  // past the 250 in all
    CHECK_FALSE(held.holds("d3"));
    CHECK(held.hold(entry("d3", "6", 50)));
    CHECK(held.bytes() == 4 * base + 250);
    CHECK(held.messages() == 4);
    // Taking makes room again.
    held.take("d1", 1);
    CHECK(held.hold(entry("d3", "7", 50)));
}

TEST_CASE("held messages of a removed subscription or device are dropped", "[proxy][held]") {
    HeldMessages held(HeldLimits{100000, 100000});
    REQUIRE(held.hold(entry("dev", "a", 10, "kept")));
    REQUIRE(held.hold(entry("dev", "b", 10, "gone")));
    REQUIRE(held.hold(entry("other", "c", 10)));
    held.drop("dev", "gone");
    CHECK(ids(held.take("dev", 10)) == std::vector<std::string>{"a"});
    held.drop("other");
    CHECK(held.messages() == 0);
    CHECK(held.devices().empty());
}

TEST_CASE("an entry costs more than its envelope", "[proxy][held]") {
    HeldMessages held(HeldLimits{});
    CHECK(held.hold(entry("dev", "a", 1)));
    CHECK(held.hold(entry("other", "b", 1)));
    CHECK(held.bytes() > 2 * sizeof(MailboxEntry));
    CHECK(held.bytes() == HeldMessages::sizeOf(entry("dev", "a", 1)) + HeldMessages::sizeOf(entry("other", "b", 1)));
}

TEST_CASE("acked held messages are dropped in their place, with their cost", "[proxy][held]") {
    HeldMessages held(HeldLimits{100000, 100000});
    for (const char* id : {"a", "b", "c", "d"}) REQUIRE(held.hold(entry("dev", id, 10)));
    REQUIRE(held.hold(entry("dev", "b", 10, "other")));  // the same id on a second subscription
    REQUIRE(held.hold(entry("own", "c", 10)));
    CHECK(held.dropAcked("dev", {"b", "d", "unknown"}) == 3);
    CHECK(held.dropAcked("nobody", {"a"}) == 0);
    CHECK(held.contains(entry("dev", "a", 0)));
    CHECK_FALSE(held.contains(entry("dev", "b", 0)));
    CHECK_FALSE(held.contains(entry("dev", "a", 0, "other")));  // another subscription's
    CHECK_FALSE(held.contains(entry("nobody", "a", 0)));
    CHECK(held.messages() == 3);
    CHECK(held.bytes() == 3 * HeldMessages::sizeOf(entry("dev", "a", 10)));
    // What take() gave and putBack() returned is found by id again.
    held.putBack("dev", held.take("dev", 2));
    CHECK(held.dropAcked("dev", {"a"}) == 1);
    CHECK(ids(held.take("dev", 10)) == std::vector<std::string>{"c"});
    CHECK(held.dropAcked("own", {"c"}) == 1);
    CHECK(held.devices().empty());
    CHECK(held.bytes() == 0);
}
