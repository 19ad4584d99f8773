#include "dhtpush/node/url_origin.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::node::urlOrigin;

TEST_CASE("urlOrigin keeps scheme, host and a non-default port, lower-cased", "[node][url_origin]") {
    CHECK(*urlOrigin("https://127.0.0.1:8443/wp/abc") == "https://127.0.0.1:8443");
    CHECK(*urlOrigin("HTTPS://Push.Example.NET/") == "https://push.example.net");
    CHECK(*urlOrigin("https://push.example.net:443") == "https://push.example.net");
    CHECK(*urlOrigin("http://push.example.net:80/x?y#z") == "http://push.example.net");
    CHECK(*urlOrigin("http://[::1]:8080/wp/t") == "http://[::1]:8080");
    CHECK(*urlOrigin("http://user:pw@localhost:81") == "http://localhost:81");
    for (const char* bad : {"", "127.0.0.1:8080", "ftp://host", "https://", "https://:443", "http://host:8a/"}) {
        CAPTURE(bad);
        const auto origin = urlOrigin(bad);
        REQUIRE_FALSE(origin.ok());
        CHECK(origin.error().code == Errc::Invalid);
    }
}

