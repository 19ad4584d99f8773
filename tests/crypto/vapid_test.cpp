#include "dhtpush/crypto/vapid.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dhtpush/crypto/base64url.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::base64urlDecode;
using dhtpush::crypto::base64urlEncode;
using dhtpush::crypto::Bytes;
using dhtpush::crypto::generateVapidKeys;
using dhtpush::crypto::toString;
using dhtpush::crypto::VapidKeys;
using dhtpush::crypto::vapidAuthorization;
using dhtpush::crypto::verifyVapidAuthorization;

namespace {

const std::string AUD = "https://push.example.net";
const std::string SUB = "mailto:push@example.com";
constexpr std::int64_t NOW = 1700000000;
constexpr std::int64_t EXP = NOW + 12 * 3600;

// RFC 8292 §2.4 (the header's line break written as a space).
const std::string RFC_HEADER =
    "vapid t=eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3"
    "NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtm"
    "ysazNjjvW2L9OkSSHzvoD1oA, k=BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmCl"
    "BPs";
const std::string RFC_KEY = "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";
constexpr std::int64_t RFC_EXP = 1453523768;

// Signed offline (Python cryptography, ES256) with the app-server key of RFC 8291 Appendix A,
// so only the checks after the signature can refuse them.
const std::string FIXTURE_KEY = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
// {"alg":"ES256"} . {"aud":"https:\/\/push.example.net","exp":1700043200,"sub":"mailto:a@b","jti":{"x":[1,2]}}
const std::string NO_TYP_JWT =
    "eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczpcL1wvcHVzaC5leGFtcGxlLm5ldCIsImV4cCI6MTcwMDA0MzIwMCwic3ViIjoibWFpbHRvOmFAYiIsImp0aSI6eyJ4IjpbMSwyXX19.vPRxejEituXz7GmQAH3uAxSOEZNempo7rlHLUXBdkrk_PktVWW7XS1JChDL3dish0jAN6TK69ocXtDcozpQw4w";

VapidKeys freshKeys() {
    auto keys = generateVapidKeys();
    REQUIRE(keys.ok());
    return *keys;
}

struct Parts {
    std::string t, k;
};

// Splits a header made by vapidAuthorization: "vapid t=<jwt>, k=<key>".
Parts split(const std::string& header) {
    const auto t = header.find("t=");
    const auto comma = header.find(", k=");
    REQUIRE(header.rfind("vapid t=", 0) == 0);
    REQUIRE(comma != std::string::npos);
    return {header.substr(t + 2, comma - t - 2), header.substr(comma + 4)};
}

std::vector<std::string> jwtParts(const std::string& jwt) {
    std::vector<std::string> parts;
    std::size_t from = 0;
    for (;;) {
        const auto dot = jwt.find('.', from);
        parts.push_back(jwt.substr(from, dot - from));
        if (dot == std::string::npos) return parts;
        from = dot + 1;
    }
}

Errc verifyCode(const std::string& header, const std::string& key = "", const std::string& aud = AUD,
                std::int64_t now = NOW) {
    const auto r = verifyVapidAuthorization(header, key, aud, now);
    REQUIRE_FALSE(r.ok());
    return r.error().code;
}

}  // namespace

TEST_CASE("VAPID keys are a 65-byte point and a 32-byte scalar", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto pub = base64urlDecode(keys.publicKey);
    const auto priv = base64urlDecode(keys.privateKey);
    REQUIRE(pub);
    REQUIRE(priv);
    CHECK(pub->size() == 65);
    CHECK((*pub)[0] == 0x04);
    CHECK(priv->size() == 32);
    CHECK(freshKeys().publicKey != keys.publicKey);
}

TEST_CASE("RFC 8292 2.4: the published header verifies", "[crypto][vapid]") {
    const auto claims = verifyVapidAuthorization(RFC_HEADER, RFC_KEY, AUD, RFC_EXP - 3600);
    REQUIRE(claims.ok());
    CHECK(claims->audience == AUD);
    CHECK(claims->expiresAt == RFC_EXP);
    CHECK(claims->subject == SUB);
    CHECK(claims->publicKey == RFC_KEY);
    CHECK(verifyCode(RFC_HEADER, RFC_KEY, AUD, RFC_EXP) == Errc::Forbidden);
}

TEST_CASE("sign then verify", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto header = vapidAuthorization(keys, AUD, SUB, EXP);
    REQUIRE(header.ok());
    const auto parts = split(*header);
    CHECK(parts.k == keys.publicKey);

    const auto jwt = jwtParts(parts.t);
    REQUIRE(jwt.size() == 3);
    CHECK(toString(*base64urlDecode(jwt[0])) == R"({"typ":"JWT","alg":"ES256"})");
    CHECK(toString(*base64urlDecode(jwt[1])) ==
          R"({"aud":"https://push.example.net","exp":1700043200,"sub":"mailto:push@example.com"})");
    CHECK(base64urlDecode(jwt[2])->size() == 64);

    for (const auto& expected : {keys.publicKey, std::string()}) {
        const auto claims = verifyVapidAuthorization(*header, expected, AUD, NOW);
        REQUIRE(claims.ok());
        CHECK(claims->audience == AUD);
        CHECK(claims->expiresAt == EXP);
        CHECK(claims->subject == SUB);
        CHECK(claims->publicKey == keys.publicKey);
    }
}

TEST_CASE("many signatures verify (r and s of every width)", "[crypto][vapid]") {
    const auto keys = freshKeys();
    for (int i = 0; i < 200; ++i) {
        const auto header = vapidAuthorization(keys, AUD, "https://app.example.org/contact", EXP + i);
        REQUIRE(header.ok());
        REQUIRE(verifyVapidAuthorization(*header, keys.publicKey, AUD, NOW).ok());
    }
}

TEST_CASE("header syntax is tolerated within the RFCs", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto header = vapidAuthorization(keys, AUD, SUB, EXP);
    REQUIRE(header.ok());
    const auto p = split(*header);
    for (const auto& form : {
             "vapid k=" + p.k + ", t=" + p.t,
             "VAPID t=" + p.t + ",k=" + p.k,
             "  vapid   t = " + p.t + " ,  k =\t" + p.k + "  ",
             "vapid t=\"" + p.t + "\", k=\"" + p.k + "\"",
             "vapid t=" + p.t + ", k=" + p.k + "=",
             "vapid t=" + p.t + ", , k=" + p.k + ", ext=1",
         }) {
        INFO(form);
        CHECK(verifyVapidAuthorization(form, keys.publicKey, AUD, NOW).ok());
    }
}

TEST_CASE("wrong key, audience or time is Forbidden", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto other = freshKeys();
    const auto header = vapidAuthorization(keys, AUD, SUB, EXP);
    REQUIRE(header.ok());
    const auto p = split(*header);

    CHECK(verifyCode(*header, other.publicKey) == Errc::Forbidden);
    CHECK(verifyCode("vapid t=" + p.t + ", k=" + other.publicKey) == Errc::Forbidden);
    CHECK(verifyCode("vapid t=" + p.t + ", k=" + other.publicKey, other.publicKey) == Errc::Forbidden);
    CHECK(verifyCode(*header, "", "https://push.example.com") == Errc::Forbidden);
    CHECK(verifyCode(*header, "", AUD + "/") == Errc::Forbidden);
    CHECK(verifyCode(*header, "", AUD, EXP) == Errc::Forbidden);        // exp == now: expired
    CHECK(verifyCode(*header, "", AUD, EXP + 1) == Errc::Forbidden);
    CHECK(verifyCode(*header, "", AUD, EXP - 24 * 3600 - 1) == Errc::Forbidden);  // more than 24 h ahead
    CHECK(verifyVapidAuthorization(*header, "", AUD, EXP - 24 * 3600).ok());     // exactly 24 h ahead
    CHECK(verifyCode(*header, base64urlEncode(Bytes(65, 4))) == Errc::Forbidden);
    CHECK(verifyCode(*header, "short") == Errc::Invalid);
}

TEST_CASE("tampered signatures and claims are Forbidden", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto header = vapidAuthorization(keys, AUD, SUB, EXP);
    REQUIRE(header.ok());
    const auto p = split(*header);
    const auto jwt = jwtParts(p.t);

    SECTION("signature byte flipped") {
        auto sig = *base64urlDecode(jwt[2]);
        for (const std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
            auto bad = sig;
            bad[at] ^= 0x01;
            const auto h = "vapid t=" + jwt[0] + "." + jwt[1] + "." + base64urlEncode(bad) + ", k=" + p.k;
            CHECK(verifyCode(h) == Errc::Forbidden);
        }
        const auto zero = "vapid t=" + jwt[0] + "." + jwt[1] + "." + base64urlEncode(Bytes(64, 0)) + ", k=" + p.k;
        CHECK(verifyCode(zero) == Errc::Forbidden);
        const auto ones = "vapid t=" + jwt[0] + "." + jwt[1] + "." + base64urlEncode(Bytes(64, 0xff)) + ", k=" + p.k;
        CHECK(verifyCode(ones) == Errc::Forbidden);
    }
    SECTION("claims changed after signing") {
        const std::string claims =
            R"({"aud":"https://push.example.net","exp":1700043201,"sub":"mailto:push@example.com"})";
        const auto h = "vapid t=" + jwt[0] + "." + base64urlEncode(claims) + "." + jwt[2] + ", k=" + p.k;
        CHECK(verifyCode(h) == Errc::Forbidden);
    }
    SECTION("header changed after signing") {
        const auto h = "vapid t=" + base64urlEncode(std::string(R"({"alg":"ES256","typ":"JWT"})")) + "." + jwt[1] +
                       "." + jwt[2] + ", k=" + p.k;
        CHECK(verifyCode(h) == Errc::Forbidden);
    }
    SECTION("alg HS256 or none") {
        for (const std::string alg : {R"({"typ":"JWT","alg":"HS256"})", R"({"typ":"JWT","alg":"none"})",
                                      R"({"typ":"JWT","alg":"es256"})"}) {
            const auto h = "vapid t=" + base64urlEncode(alg) + "." + jwt[1] + "." + jwt[2] + ", k=" + p.k;
            CHECK(verifyCode(h) == Errc::Forbidden);
        }
    }
}

TEST_CASE("malformed header forms", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto header = vapidAuthorization(keys, AUD, SUB, EXP);
    REQUIRE(header.ok());
    const auto p = split(*header);
    const auto jwt = jwtParts(p.t);
    const auto withT = [&](const std::string& t) { return "vapid t=" + t + ", k=" + p.k; };

    SECTION("missing parts") {
        CHECK(verifyCode("") == Errc::Malformed);
        CHECK(verifyCode("vapid") == Errc::Malformed);
        CHECK(verifyCode("vapid k=" + p.k) == Errc::Malformed);
        CHECK(verifyCode("vapid t=" + p.t) == Errc::Malformed);
        CHECK(verifyCode("vapid t=, k=" + p.k) == Errc::Malformed);
        CHECK(verifyCode("vapid t=" + p.t + ", k=") == Errc::Malformed);
        CHECK(verifyCode("vapid t" + p.t + ", k=" + p.k) == Errc::Malformed);
    }
    SECTION("other schemes, including the draft WebPush form") {
        const auto r = verifyVapidAuthorization("WebPush " + p.t, "", AUD, NOW);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::Malformed);
        CHECK(r.error().detail.find("WebPush") != std::string::npos);
        CHECK(verifyCode("Bearer " + p.t) == Errc::Malformed);
        CHECK(verifyCode("vapidt=" + p.t + ", k=" + p.k) == Errc::Malformed);
    }
    SECTION("repeated or broken parameters") {
        CHECK(verifyCode(*header + ", t=" + p.t) == Errc::Malformed);
        CHECK(verifyCode(*header + ", k=" + p.k) == Errc::Malformed);
        CHECK(verifyCode("vapid t=\"" + p.t + ", k=" + p.k) == Errc::Malformed);
        CHECK(verifyCode("vapid t=\"" + p.t + "\\\", k=" + p.k) == Errc::Malformed);
    }
    SECTION("bad base64url") {
        CHECK(verifyCode("vapid t=" + p.t + ", k=" + p.k.substr(0, 40) + "!!") == Errc::Malformed);
        CHECK(verifyCode("vapid t=" + p.t + ", k=" + p.k.substr(0, 80)) == Errc::Malformed);
        CHECK(verifyCode(withT(jwt[0] + "+." + jwt[1] + "." + jwt[2])) == Errc::Malformed);
        CHECK(verifyCode(withT(jwt[0] + "." + jwt[1] + "=." + jwt[2])) == Errc::Malformed);
        CHECK(verifyCode(withT(jwt[0] + "." + jwt[1] + "." + jwt[2] + "*")) == Errc::Malformed);
    }
    SECTION("JWT without three parts") {
        CHECK(verifyCode(withT(jwt[0] + "." + jwt[1])) == Errc::Malformed);
        CHECK(verifyCode(withT(jwt[0] + jwt[1] + jwt[2])) == Errc::Malformed);
        CHECK(verifyCode(withT(p.t + "." + jwt[2])) == Errc::Malformed);
        CHECK(verifyCode(withT(".." )) == Errc::Malformed);
    }
    SECTION("signature of the wrong size") {
        CHECK(verifyCode(withT(jwt[0] + "." + jwt[1] + "." + base64urlEncode(Bytes(63, 1)))) == Errc::Malformed);
        CHECK(verifyCode(withT(jwt[0] + "." + jwt[1] + "." + base64urlEncode(Bytes(72, 1)))) == Errc::Malformed);
    }
    SECTION("JSON that is not an object") {
        for (const std::string& json : std::vector<std::string>{"[]", "\"x\"", "{", R"({"alg":"ES256"} x)", R"({"alg":"ES256","alg":"ES256"})",
                                       std::string(300, '[')}) {  // deep, within the 1024-byte header
            CHECK(verifyCode(withT(base64urlEncode(json) + "." + jwt[1] + "." + jwt[2])) == Errc::Malformed);
            CHECK(verifyCode(withT(jwt[0] + "." + base64urlEncode(json) + "." + jwt[2])) == Errc::Malformed);
        }
    }
    SECTION("too long") {
        CHECK(verifyCode(*header + std::string(dhtpush::crypto::VAPID_MAX_HEADER_SIZE + 1 - header->size(), ' ')) == Errc::Malformed);
    }
}

TEST_CASE("signed claims must have aud, exp and sub of the right types", "[crypto][vapid]") {
    const std::vector<std::pair<const char*, std::string>> cases{
        {"no aud",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJleHAiOjE3MDAwNDMyMDAsInN1YiI6Im1haWx0bzphQGIifQ.C42u_tkQRojVys_0H_WbLggTcF6BxBxXpyB9ZDHgnwyhgjyViiU_7IPn__gub70F1YVaxWsqSYzYKOrLKjh_RQ"},
        {"no exp",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJzdWIiOiJtYWlsdG86YUBiIn0.NJ314XJ7L7WDYLwX4bvu_Tc-iJhWNpwP3vFtEzWGhfQgnsKWsZy7KaWSG8i3E88jTwSD39DgOef0aPxDf68mRA"},
        {"no sub",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE3MDAwNDMyMDB9.62p0LACZkRpln9tkTQ16y9kxcl5hyiBMm3zuXtZjL8EvhYITdgL67zMHrhIg2-BBBV9ThQAM_ARa971rxflOFQ"},
        {"exp a string",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOiIxNzAwMDQzMjAwIiwic3ViIjoibWFpbHRvOmFAYiJ9.V_lZVhiwZWGRhvRXLG--OTLbMQrbXxmyhRfqFM4vPcNtIj0Az7tIdXoPTtocknckNDBxsgWz9cZ1vxx5kGE-fA"},
        {"exp a float",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjEuN2U5LCJzdWIiOiJtYWlsdG86YUBiIn0.e5Dyu1bRLszeSLLtgyWV2u3OBiwWmdUy6w6hXYWdiSNwZE38oLXrBb8YpmbUr4xsEMo53cMl8QQj6r5ZAKqFog"},
        {"sub empty",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE3MDAwNDMyMDAsInN1YiI6IiJ9.nyxglzTH5sJa7EBTCeVvm922T4fVZjaMbrF6aScGbRI5HxrLeR7sskrXZcTntlxjtRDsgRu1K44yutNHsVNktA"},
        {"aud an array",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOlsiaHR0cHM6Ly9wdXNoLmV4YW1wbGUubmV0Il0sImV4cCI6MTcwMDA0MzIwMCwic3ViIjoibWFpbHRvOmFAYiJ9.J4gfXaEwH1npuo-O5aDilxVjn9mG1f7r-QcFy0k3ETV5IaLEpD_rWwls7R7xZ4R7eyUTFANod8tQIhB6S7QZhQ"},
        {"claims an array",
         "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.WzE3MDAwNDMyMDBd.rPAJ3zlRB_XOtwKMI-ofuwwaf16eP1RFwrDePLslCpdWnAxj7-GPyNl2523zUYVj1y0HI2HRdbHecY_DYqOzTw"},
    };
    for (const auto& [name, jwt] : cases) {
        INFO(name);
        CHECK(verifyCode("vapid t=" + jwt + ", k=" + FIXTURE_KEY, FIXTURE_KEY) == Errc::Malformed);
    }
}

TEST_CASE("signed JOSE headers: typ optional, crit refused, escaped slashes and extra claims fine", "[crypto][vapid]") {
    const auto claims = verifyVapidAuthorization("vapid t=" + NO_TYP_JWT + ", k=" + FIXTURE_KEY, FIXTURE_KEY, AUD, NOW);
    REQUIRE(claims.ok());
    CHECK(claims->audience == AUD);
    CHECK(claims->subject == "mailto:a@b");
    CHECK(claims->expiresAt == 1700043200);

    // {"typ":"JWT","alg":"ES256","crit":["exp"]}
    const std::string crit =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiIsImNyaXQiOlsiZXhwIl19.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE3MDAwNDMyMDAsInN1YiI6Im1haWx0bzphQGIifQ.2Bvlh92OYUXhiYeQFxYOo5aMBfnfl2TWLEUlOopGeaX8omc5d5MyIYN-EKhNxACQrMbA2ruQ60bvJDKTxzklOQ";
    CHECK(verifyCode("vapid t=" + crit + ", k=" + FIXTURE_KEY) == Errc::Forbidden);
    // {"typ":"JOSE+JSON","alg":"ES256"}
    const std::string typ =
        "eyJ0eXAiOiJKT1NFK0pTT04iLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE3MDAwNDMyMDAsInN1YiI6Im1haWx0bzphQGIifQ.JzYdEEqcSG65csfB4246Y-UuVg9-l17oKoxS4B7qIEs2UfB9NVgJ3QE8qaQcbfRxarFPy86BESFyxdDDs7KaPQ";
    CHECK(verifyCode("vapid t=" + typ + ", k=" + FIXTURE_KEY) == Errc::Malformed);
}

TEST_CASE("signing checks its inputs and never reveals the private key", "[crypto][vapid]") {
    const auto keys = freshKeys();
    const auto other = freshKeys();
    const auto check = [&](const VapidKeys& k, const std::string& aud, const std::string& sub) {
        const auto r = vapidAuthorization(k, aud, sub, EXP);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::Invalid);
        CHECK(r.error().detail.find(k.privateKey) == std::string::npos);
        CHECK(r.error().detail.find(keys.privateKey) == std::string::npos);
    };
    check({keys.publicKey, other.privateKey}, AUD, SUB);           // mismatched pair
    check({keys.publicKey.substr(0, 80), keys.privateKey}, AUD, SUB);
    check({keys.publicKey, keys.privateKey.substr(0, 40)}, AUD, SUB);
    check({keys.publicKey, base64urlEncode(Bytes(32, 0))}, AUD, SUB);
    check({keys.publicKey, "***"}, AUD, SUB);
    check(keys, "", SUB);
    check(keys, AUD, "push@example.com");
    check(keys, AUD, "http://example.com");
}

TEST_CASE("mutated VAPID headers never crash and never verify", "[crypto][vapid][fuzz]") {
    // Fixed inputs and seed: the same 5000 headers on every run.
    const std::vector<std::string> samples{"vapid t=" + NO_TYP_JWT + ", k=" + FIXTURE_KEY, RFC_HEADER};
    const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=, \"\t\\{}";
    std::mt19937 rng(8292);
    const auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    int accepted = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::size_t which = pick(samples.size());
        std::string h = samples[which];
        const int mutations = 1 + static_cast<int>(pick(3));
        for (int m = 0; m < mutations; ++m) {
            switch (pick(5)) {
                case 0: if (!h.empty()) h[pick(h.size())] = alphabet[pick(alphabet.size())]; break;
                case 1: if (!h.empty()) h[pick(h.size())] = static_cast<char>(rng()); break;
                case 2: h.resize(pick(h.size() + 1)); break;
                case 3: h.insert(pick(h.size() + 1), 1, alphabet[pick(alphabet.size())]); break;
                default: if (!h.empty()) h.erase(pick(h.size()), 1 + pick(8)); break;
            }
        }
        const std::int64_t now = which == 0 ? NOW : RFC_EXP - 60;
        dhtpush::Expected<dhtpush::crypto::VapidClaims> r = dhtpush::makeError(Errc::Internal, "");
        REQUIRE_NOTHROW(r = verifyVapidAuthorization(h, "", AUD, now));
        if (r.ok()) {
            // Only changes outside the signed token and key can pass (no-op mutations, spaces...).
            ++accepted;
            CHECK(r->audience == AUD);
        }
    }
    CHECK(accepted < 50);
}
