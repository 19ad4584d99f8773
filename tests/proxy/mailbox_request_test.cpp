#include "mailbox_request.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::proxy;

TEST_CASE("ack bodies carry 1 to 1000 message ids", "[proxy][mailbox]") {
    auto ok = parseAcks(R"({"ids": ["a", "b"]})");
    REQUIRE(ok.ok());
    CHECK(*ok == std::vector<std::string>{"a", "b"});
    CHECK(parseAcks("{").error().code == Errc::Malformed);
    CHECK(parseAcks("[]").error().code == Errc::Invalid);
    CHECK(parseAcks(R"({"ids": []})").error().code == Errc::Invalid);
    CHECK(parseAcks(R"({"ids": [1]})").error().code == Errc::Invalid);
    CHECK(parseAcks(R"({"ids": [""]})").error().code == Errc::Invalid);
    CHECK(parseAcks(R"({"ids": [")" + std::string(65, 'x') + R"("]})").error().code == Errc::Invalid);
    std::string many = R"({"ids": [)";
    for (int i = 0; i < 1001; ++i) many += (i ? ",\"x\"" : "\"x\"");
    CHECK(parseAcks(many + "]}").error().code == Errc::Invalid);
}

TEST_CASE("Last-Event-ID is a non-negative sequence number, anything else means from the start", "[proxy][mailbox]") {
    CHECK(parseLastEventId(std::nullopt) == 0);
    CHECK(parseLastEventId(std::string_view("42")) == 42);
    CHECK(parseLastEventId(std::string_view("-3")) == 0);
    CHECK(parseLastEventId(std::string_view("4x")) == 0);
    CHECK(parseLastEventId(std::string_view("")) == 0);
    CHECK(parseLastEventId(std::string_view("99999999999999999999999")) == 0);
}

TEST_CASE("an event stream's query names the lowest urgency it carries, every message without one", "[proxy][mailbox]") {
    CHECK(*parseStreamUrgency("") == node::Urgency::VeryLow);
    CHECK(*parseStreamUrgency("other=1") == node::Urgency::VeryLow);
    CHECK(*parseStreamUrgency("urgency=very-low") == node::Urgency::VeryLow);
    CHECK(*parseStreamUrgency("urgency=low") == node::Urgency::Low);
    CHECK(*parseStreamUrgency("urgency=normal&x=y") == node::Urgency::Normal);
    CHECK(*parseStreamUrgency("urgency=high") == node::Urgency::High);
    CHECK(parseStreamUrgency("urgency=HIGH").error().code == Errc::Invalid);
    CHECK(parseStreamUrgency("urgency=").error().code == Errc::Invalid);
    CHECK(parseStreamUrgency("urgency=urgent").error().code == Errc::Invalid);
    CHECK(parseStreamUrgency("urgency=%ZZ").error().code == Errc::Invalid);
}
