#include "dhtpush/client/sse_parser.h"

#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

using dhtpush::client::SseEvent;
using dhtpush::client::SseParser;

namespace {

// Collects what a parser dispatches.
struct Recorder {
    std::vector<SseEvent> events;
    SseParser parser{[this](const SseEvent& e) { events.push_back(e); }};
};

std::vector<SseEvent> parseAll(std::string_view stream) {
    Recorder r;
    r.parser.feed(stream);
    return r.events;
}

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tie(a[i].id, a[i].type, a[i].data) != std::tie(b[i].id, b[i].type, b[i].data)) return false;
    return true;
}

// A stream that uses every feature: ids, types, multi-line data, comments, all three line endings.
const std::string MIXED_STREAM =
    ": keep-alive\n"
    "id: 1\r\n"
    "event: message\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "data: first\r"
    "data: second\r"
    "data:third\r"
    "\r"
    ":comment\n"
    "event: custom\n"
    "id: 2\n"
    "data\n"
    "\n"
    "event: no-data\n"
    "\n"
    "data: last\r\n"
    "\n";

}  // namespace

TEST_CASE("one event with a data line is dispatched at the blank line", "[client][sse]") {
    Recorder r;
    CHECK(r.parser.feed("data: hello\n"));
    CHECK(r.events.empty());
    CHECK(r.parser.feed("\n"));
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].data == "hello");
    CHECK(r.events[0].type == "message");
    CHECK(r.events[0].id.empty());
}

TEST_CASE("id, event and data fields fill the event", "[client][sse]") {
    Recorder r;
    r.parser.feed("id: 42\nevent: push\ndata: payload\n\n");
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].id == "42");
    CHECK(r.events[0].type == "push");
    CHECK(r.events[0].data == "payload");
    CHECK(r.parser.lastEventId() == "42");
}

TEST_CASE("the last event id carries over to later events and the type resets", "[client][sse]") {
    const auto events = parseAll("id: 7\nevent: push\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n");
    REQUIRE(events.size() == 3);
    CHECK(events[0].id == "7");
    CHECK(events[1].id == "7");
    CHECK(events[1].type == "message");
    CHECK(events[2].id == "8");
}

TEST_CASE("only one space after the colon is removed, and a field without colon has an empty value",
          "[client][sse]") {
    const auto events = parseAll("data:no-space\n\ndata:  two-spaces\n\ndata\n\n");
    REQUIRE(events.size() == 3);
    CHECK(events[0].data == "no-space");
    CHECK(events[1].data == " two-spaces");
    CHECK(events[2].data.empty());
}

TEST_CASE("multi-line data is joined with newlines", "[client][sse]") {
    const auto events = parseAll("data: line 1\ndata: line 2\ndata:\ndata: line 4\n\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].data == "line 1\nline 2\n\nline 4");
}

TEST_CASE("comment lines are ignored", "[client][sse]") {
    const auto events = parseAll(": keep-alive\n\n:\ndata: x\n: inside\ndata: y\n\n: tail\n\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].data == "x\ny");
}

TEST_CASE("unknown fields are ignored", "[client][sse]") {
    const auto events = parseAll("retry: 1000\nfoo: bar\ndata: x\n\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].data == "x");
    CHECK(events[0].type == "message");
}

TEST_CASE("LF, CRLF and CR line endings give the same events", "[client][sse]") {
    const auto lf = parseAll("id: 1\nevent: e\ndata: a\ndata: b\n\ndata: c\n\n");
    const auto crlf = parseAll("id: 1\r\nevent: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n");
    const auto cr = parseAll("id: 1\revent: e\rdata: a\rdata: b\r\rdata: c\r\r");
    REQUIRE(lf.size() == 2);
    CHECK(lf[0].data == "a\nb");
    CHECK(lf[0].type == "e");
    CHECK(lf[0].id == "1");
    CHECK(lf[1].data == "c");
    CHECK(same(lf, crlf));
    CHECK(same(lf, cr));
}

TEST_CASE("the mixed test stream parses to the expected events", "[client][sse]") {
    const auto events = parseAll(MIXED_STREAM);
    REQUIRE(events.size() == 4);
    CHECK(events[0].id == "1");
    CHECK(events[0].type == "message");
    CHECK(events[0].data == "{\"a\":1}");
    CHECK(events[1].id == "1");
    CHECK(events[1].data == "first\nsecond\nthird");
    CHECK(events[2].id == "2");
    CHECK(events[2].type == "custom");
    CHECK(events[2].data.empty());
    CHECK(events[3].id == "2");
    CHECK(events[3].type == "message");
    CHECK(events[3].data == "last");
}

TEST_CASE("feeding the stream split at any byte gives identical events", "[client][sse]") {
    const auto whole = parseAll(MIXED_STREAM);
    REQUIRE(whole.size() == 4);
    const std::string_view stream(MIXED_STREAM);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        Recorder r;
        CHECK(r.parser.feed(stream.substr(0, cut)));
        CHECK(r.parser.feed(stream.substr(cut)));
        CAPTURE(cut);
        REQUIRE(same(r.events, whole));
    }
    // Every pair of cuts, including cuts between the CR and LF of a CRLF.
    for (std::size_t first = 0; first <= stream.size(); ++first) {
        for (std::size_t second = first; second <= stream.size(); ++second) {
            Recorder r;
            r.parser.feed(stream.substr(0, first));
            r.parser.feed(stream.substr(first, second - first));
            r.parser.feed(stream.substr(second));
            if (!same(r.events, whole)) {
                CAPTURE(first, second);
                FAIL("different events");
            }
        }
    }
    Recorder byteByByte;
    for (const char c : stream) byteByByte.parser.feed(std::string_view(&c, 1));
    CHECK(same(byteByByte.events, whole));
}

TEST_CASE("an event without data is not dispatched", "[client][sse]") {
    CHECK(parseAll("event: ping\n\n").empty());
    CHECK(parseAll("id: 5\n\n").empty());
    CHECK(parseAll("\n\n\n").empty());
    CHECK(parseAll(": only a comment\n\n").empty());
    // And its type does not leak into the next event.
    const auto events = parseAll("event: ping\n\ndata: x\n\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == "message");
}

TEST_CASE("an unterminated event is not dispatched", "[client][sse]") {
    CHECK(parseAll("data: x\n").empty());
    CHECK(parseAll("data: x").empty());
}

TEST_CASE("an oversized line makes feed return false and later events still arrive", "[client][sse]") {
    Recorder r;
    CHECK(r.parser.feed("data: before\n\n"));
    const std::string huge = "data: " + std::string(SseParser::MAX_EVENT_BYTES + 100, 'x') + "\n\n";
    CHECK_FALSE(r.parser.feed(huge));
    r.parser.feed("data: after\n\n");
    REQUIRE(r.events.size() == 2);
    CHECK(r.events[0].data == "before");
    CHECK(r.events[1].data == "after");
    CHECK(r.events[1].data.size() < SseParser::MAX_EVENT_BYTES);
}

TEST_CASE("an event whose data lines add up above the limit is dropped", "[client][sse]") {
    Recorder r;
    std::string stream;
    const std::string line = "data: " + std::string(1000, 'y') + "\n";
    for (std::size_t total = 0; total <= SseParser::MAX_EVENT_BYTES; total += 1000) stream += line;
    stream += "\n";
    CHECK_FALSE(r.parser.feed(stream));
    r.parser.feed("data: small\n\n");
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].data == "small");
}

TEST_CASE("an event just under the limit is delivered whole", "[client][sse]") {
    Recorder r;
    const std::string data(SseParser::MAX_EVENT_BYTES - 100, 'z');
    CHECK(r.parser.feed("data: " + data + "\n\n"));
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].data == data);
}

// Known product bugs, written as the behaviour the header promises.  keeps the suite
// green while the bug exists and turns red once it is fixed, so the tag can then be removed.

TEST_CASE("the rest of an oversized line is dropped, not parsed as a line of its own (known bug)",
          "[client][sse]") {
    // The line fills MAX_EVENT_BYTES, one more byte trips the overflow, and the parser then starts
    // a fresh line with what follows: "data: injected" becomes an event.
    Recorder r;
    const std::string line = "data: " + std::string(SseParser::MAX_EVENT_BYTES - 5, 'x') + "data: injected\n\n";
    CHECK_FALSE(r.parser.feed(line));
    CHECK(r.events.empty());
}

TEST_CASE("data lines that follow an overflow belong to the dropped event (known bug)",
          "[client][sse]") {
    // 70 lines of 1000 bytes: the overflow happens at line 66; lines 67..70 are delivered as if
    // they were a whole event.
    Recorder r;
    std::string stream;
    for (int i = 0; i < 70; ++i) stream += "data: " + std::string(1000, 'y') + "\n";
    stream += "\n";
    CHECK_FALSE(r.parser.feed(stream));
    CHECK(r.events.empty());
}

TEST_CASE("an empty event field leaves the type 'message' (WHATWG HTML 9.2.6, known bug)",
          "[client][sse]") {
    const auto events = parseAll("event:\ndata: x\n\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == "message");
}
