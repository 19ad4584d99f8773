#include "dhtpush/node/host_port.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::node::splitHostPort;

TEST_CASE("splitHostPort splits an IPv4 host and port", "[node][host_port]") {
    const auto hp = splitHostPort("127.0.0.1:4222");
    REQUIRE(hp.ok());
    CHECK(hp->host == "127.0.0.1");
    CHECK(hp->port == "4222");
}

TEST_CASE("splitHostPort splits a bracketed IPv6 host and port", "[node][host_port]") {
    const auto hp = splitHostPort("[::1]:4222");
    REQUIRE(hp.ok());
    CHECK(hp->host == "::1");
    CHECK(hp->port == "4222");
    const auto full = splitHostPort("[fe80::1%eth0]:1");
    REQUIRE(full.ok());
    CHECK(full->host == "fe80::1%eth0");
    CHECK(full->port == "1");
}

TEST_CASE("splitHostPort accepts a name and the ports 1 and 65535", "[node][host_port]") {
    const auto hp = splitHostPort("host:65535");
    REQUIRE(hp.ok());
    CHECK(hp->host == "host");
    CHECK(hp->port == "65535");
    const auto low = splitHostPort("bootstrap.jami.net:1");
    REQUIRE(low.ok());
    CHECK(low->host == "bootstrap.jami.net");
    CHECK(low->port == "1");
}

TEST_CASE("splitHostPort rejects text without host, port or a valid port number", "[node][host_port]") {
    for (const char* text : {"host", ":4222", "host:0", "host:65536", "host:42x", "[::1]4222", "", ":", "host:",
                             "host:-1", "host:+80", "host: 80", "host:4294967297", "[::1]", "[::1]:", "[]:80",
                             "[::1:80", "host:99999999999999999999"}) {
        CAPTURE(text);
        const auto hp = splitHostPort(text);
        REQUIRE_FALSE(hp.ok());
        CHECK(hp.error().code == Errc::Invalid);
    }
}
