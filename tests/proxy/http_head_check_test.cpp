#include "http_head_check.h"

#include <string>

#include <catch2/catch.hpp>

using dhtpush::proxy::HttpHeadCheck;

namespace {

// The status the check answers for these bytes (0: none), fed whole and byte by byte.
int statusFor(const std::string& bytes) {
    HttpHeadCheck whole, byByte;
    const auto a = whole.feed(bytes.data(), bytes.size());
    std::optional<dhtpush::proxy::HeadRefusal> b;
    for (std::size_t i = 0; i < bytes.size() && !b; ++i) b = byByte.feed(bytes.data() + i, 1);
    CHECK(a.has_value() == b.has_value());
    if (a && b) CHECK(a->status == b->status);
    return a ? a->status : 0;
}

std::string get(const std::string& target, const std::string& fields = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n";
}

}  // namespace

TEST_CASE("well-formed requests pass, kept-alive ones too", "[proxy][http_head]") {
    CHECK(statusFor(get("/health")) == 0);
    CHECK(statusFor(get("/wp/AXo_tKy6cLTTPlKzZtkdm_o")) == 0);
    CHECK(statusFor(get("/wp/caf%C3%A9")) == 0);  // percent-encoded UTF-8
    CHECK(statusFor("\r\n" + get("/")) == 0);      // an empty line before a request is allowed
    const std::string post = "POST /wp/t HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
    CHECK(statusFor(post + post + get("/health")) == 0);
    // A body that looks like a request line is a body.
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 9\r\n\r\nGARBAGE\r\n" + get("/")) == 0);
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n") == 0);
}

// Regression (issue 17): each of these closed the connection without an answer.
TEST_CASE("malformed request lines and targets are 400", "[proxy][http_head]") {
    for (const std::string target : {"/wp/%FF", "/wp/%", "/wp/%zz", "/wp/%FF%FE%00", "/wp/%C0%AF", "/a%0Ab"}) {
        CAPTURE(target);
        CHECK(statusFor(get(target)) == 400);
    }
    CHECK(statusFor("GARBAGE\r\n\r\n") == 400);
    CHECK(statusFor("GET /\r\n\r\n") == 400);
    CHECK(statusFor("GET / HTTP/2.0\r\n\r\n") == 400);
    CHECK(statusFor("G(T / HTTP/1.1\r\n\r\n") == 400);
}

TEST_CASE("Content-Length must be one number, at most the body limit", "[proxy][http_head]") {
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == 400);
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n") == 400);
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == 400);
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n") == 400);
    // Answered as soon as the length says so: the 10 MB never need to arrive.
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 10000000\r\n\r\nhello") == 413);
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 1048577\r\n") == 413);
    CHECK(statusFor("POST /wp/t HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n") == 0);
}

TEST_CASE("headers over the limits are 431, a long target 414", "[proxy][http_head]") {
    CHECK(statusFor(get("/health", "X-Big: " + std::string(20000, 'a') + "\r\n")) == 431);
    CHECK(statusFor(get("/health", "X-Big: " + std::string(8192, 'a') + "\r\n")) == 0);
    std::string many;
    for (int i = 0; i < 2000; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    CHECK(statusFor(get("/health", many)) == 431);
    CHECK(statusFor(get("/health", std::string(300, 'n') + ": v\r\n")) == 431);
    CHECK(statusFor(get("/health", "no colon here\r\n")) == 400);
    CHECK(statusFor(get("/" + std::string(5000, 'a'))) == 414);
    CHECK(statusFor(get("/" + std::string(4000, 'a'))) == 0);
}
