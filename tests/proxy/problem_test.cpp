#include "problem.h"

#include <string>

#include "dhtpush/node/json.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::proxy::httpStatusFor;
using dhtpush::proxy::problemJson;
using dhtpush::proxy::reasonPhrase;

TEST_CASE("httpStatusFor maps every Errc to its HTTP status", "[proxy][problem]") {
    CHECK(httpStatusFor(Errc::Malformed) == 400);
    CHECK(httpStatusFor(Errc::Invalid) == 400);
    CHECK(httpStatusFor(Errc::TooLarge) == 413);
    CHECK(httpStatusFor(Errc::UnsupportedEncoding) == 415);
    CHECK(httpStatusFor(Errc::Unauthorized) == 401);
    CHECK(httpStatusFor(Errc::Forbidden) == 403);
    CHECK(httpStatusFor(Errc::NotFound) == 404);
    CHECK(httpStatusFor(Errc::Conflict) == 409);
    CHECK(httpStatusFor(Errc::QuotaExceeded) == 429);
    CHECK(httpStatusFor(Errc::Unavailable) == 503);
    CHECK(httpStatusFor(Errc::Internal) == 500);
}

TEST_CASE("reasonPhrase names every status the table produces", "[proxy][problem]") {
    CHECK(std::string(reasonPhrase(400)) == "Bad Request");
    CHECK(std::string(reasonPhrase(401)) == "Unauthorized");
    CHECK(std::string(reasonPhrase(403)) == "Forbidden");
    CHECK(std::string(reasonPhrase(404)) == "Not Found");
    CHECK(std::string(reasonPhrase(409)) == "Conflict");
    CHECK(std::string(reasonPhrase(413)) == "Payload Too Large");
    CHECK(std::string(reasonPhrase(415)) == "Unsupported Media Type");
    CHECK(std::string(reasonPhrase(429)) == "Too Many Requests");
    CHECK(std::string(reasonPhrase(503)) == "Service Unavailable");
    CHECK(std::string(reasonPhrase(500)) == "Internal Server Error");
}

TEST_CASE("problemJson is a JSON object with type, title, status and detail", "[proxy][problem]") {
    const auto text = problemJson(404, dhtpush::makeError(Errc::NotFound, "unknown device"));
    const auto json = dhtpush::node::parseJson(text);
    REQUIRE(json.ok());
    REQUIRE(json->isObject());
    CHECK((*json)["type"].asString() == "urn:dhtpush:problem:not-found");
    CHECK((*json)["title"].asString() == "Not Found");
    REQUIRE((*json)["status"].isInt());
    CHECK((*json)["status"].asInt() == 404);
    CHECK((*json)["detail"].asString() == "unknown device");
}

TEST_CASE("problemJson escapes a detail with quotes, backslashes and newlines", "[proxy][problem]") {
    const std::string detail = "bad \"value\"\\ here\nand\ttab \x01 é";
    for (const auto code : {Errc::Malformed, Errc::Invalid, Errc::TooLarge, Errc::UnsupportedEncoding,
                            Errc::Unauthorized, Errc::Forbidden, Errc::NotFound, Errc::Conflict,
                            Errc::QuotaExceeded, Errc::Unavailable, Errc::Internal}) {
        const int status = httpStatusFor(code);
        const auto json = dhtpush::node::parseJson(problemJson(status, dhtpush::makeError(code, detail)));
        REQUIRE(json.ok());
        CHECK((*json)["detail"].asString() == detail);
        CHECK((*json)["status"].asInt() == status);
        CHECK((*json)["type"].asString() == std::string("urn:dhtpush:problem:") + dhtpush::errcName(code));
        CHECK((*json)["title"].asString() == reasonPhrase(status));
    }
}
