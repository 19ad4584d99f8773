#include "vapid_check.h"

#include <cstdint>
#include <string>
#include <vector>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::Status;
using dhtpush::crypto::generateVapidKeys;
using dhtpush::crypto::VapidKeys;
using dhtpush::crypto::vapidAuthorization;
using dhtpush::node::Envelope;
using dhtpush::node::Urgency;
using dhtpush::proxy::checkEnvelopeVapid;
using dhtpush::proxy::checkPostVapid;

namespace {

const std::string ORIGIN = "https://127.0.0.1:8443";
const std::vector<std::string> AUDIENCES = {ORIGIN, "http://127.0.0.1:8080"};
const std::string SUB = "mailto:ops@example.com";
constexpr std::int64_t NOW = 1700000000;

VapidKeys keys() {
    auto k = generateVapidKeys();
    REQUIRE(k.ok());
    return *k;
}

std::string header(const VapidKeys& k, const std::string& aud = ORIGIN, std::int64_t exp = NOW + 12 * 3600) {
    auto h = vapidAuthorization(k, aud, SUB, exp);
    REQUIRE(h.ok());
    return *h;
}

template <class Result>
void requireForbidden(const Result& s, const std::string& detailPart) {
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == Errc::Forbidden);
    CAPTURE(s.error().detail);
    CHECK(s.error().detail.find(detailPart) != std::string::npos);
}

Envelope envelopeWith(std::string vapid, std::int64_t createdUnix = NOW) {
    auto e = Envelope::create(60, Urgency::Normal, "", "aes128gcm", {1, 2, 3});
    e.createdMs = static_cast<std::uint64_t>(createdUnix) * 1000 + 250;
    e.vapid = std::move(vapid);
    return e;
}

}  // namespace

TEST_CASE("a POST without Authorization passes only when no key is bound", "[proxy][vapid_check]") {
    CHECK(checkPostVapid("", std::nullopt, AUDIENCES, NOW).ok());
    const auto k = keys();
    requireForbidden(checkPostVapid(k.publicKey, std::nullopt, AUDIENCES, NOW), "header is required");
}

TEST_CASE("a POST for a bound key passes with a valid header for that key and this node", "[proxy][vapid_check]") {
    const auto k = keys();
    CHECK(checkPostVapid(k.publicKey, header(k), AUDIENCES, NOW).ok());
    // Any of the node's origins is an acceptable audience.
    CHECK(checkPostVapid(k.publicKey, header(k, "http://127.0.0.1:8080"), AUDIENCES, NOW).ok());
    // The longest lifetime RFC 8292 allows.
    CHECK(checkPostVapid(k.publicKey, header(k, ORIGIN, NOW + 24 * 3600), AUDIENCES, NOW).ok());
}

TEST_CASE("a POST for a bound key is forbidden with another key, audience or lifetime", "[proxy][vapid_check]") {
    const auto bound = keys();
    const auto other = keys();
    requireForbidden(checkPostVapid(bound.publicKey, header(other), AUDIENCES, NOW), "not the VAPID key");
    requireForbidden(checkPostVapid(bound.publicKey, header(bound, "https://elsewhere.example"), AUDIENCES, NOW),
                     "audience");
    requireForbidden(checkPostVapid(bound.publicKey, header(bound, ORIGIN, NOW), AUDIENCES, NOW), "expired");
    requireForbidden(checkPostVapid(bound.publicKey, header(bound, ORIGIN, NOW + 24 * 3600 + 1), AUDIENCES, NOW),
                     "24 hours");
    requireForbidden(checkPostVapid(bound.publicKey, "Bearer abc", AUDIENCES, NOW), "VAPID");
    requireForbidden(checkPostVapid(bound.publicKey, "", AUDIENCES, NOW), "VAPID");
}

TEST_CASE("a VAPID header on an unbound subscription is verified too", "[proxy][vapid_check]") {
    const auto k = keys();
    CHECK(checkPostVapid("", header(k), AUDIENCES, NOW).ok());
    requireForbidden(checkPostVapid("", header(k, ORIGIN, NOW - 1), AUDIENCES, NOW), "expired");
    auto tampered = header(k);
    const auto dot = tampered.rfind('.');
    tampered[dot + 1] = tampered[dot + 1] == 'A' ? 'B' : 'A';
    requireForbidden(checkPostVapid("", tampered, AUDIENCES, NOW), "VAPID");
    requireForbidden(checkPostVapid("", "vapid t=a.b.c, k=x", AUDIENCES, NOW), "VAPID");
    requireForbidden(checkPostVapid("", "WebPush eyJ.eyJ.sig", AUDIENCES, NOW), "VAPID");
    // A valid header padded past what an envelope carries.
    requireForbidden(checkPostVapid("", header(k) + std::string(1024, ' '), AUDIENCES, NOW), "1024 bytes");
}

TEST_CASE("an envelope passes when no key is bound, whatever it carries", "[proxy][vapid_check]") {
    CHECK(checkEnvelopeVapid("", envelopeWith(""), NOW).ok());
    CHECK(checkEnvelopeVapid("", envelopeWith("garbage"), NOW).ok());
}

TEST_CASE("an envelope for a bound key needs a proof by that key, valid by this node's clock", "[proxy][vapid_check]") {
    const auto bound = keys();
    const auto other = keys();
    // Any audience: the accepting node checked it against its own origin.
    CHECK(checkEnvelopeVapid(bound.publicKey, envelopeWith(header(bound, "https://node-b.example")), NOW).ok());
    CHECK(checkEnvelopeVapid(bound.publicKey, envelopeWith(header(bound, ORIGIN, NOW + 60), NOW), NOW).ok());

    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith(""), NOW), "no proof");
    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith(header(other)), NOW), "not the VAPID key");
    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith(header(bound, ORIGIN, NOW - 10)), NOW), "expired");
    requireForbidden(
        checkEnvelopeVapid(bound.publicKey, envelopeWith(header(bound, ORIGIN, NOW + 2 * 24 * 3600)), NOW), "24 hours");
    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith("vapid t=x.y.z, k=" + bound.publicKey), NOW),
                     "VAPID");
    auto tampered = header(bound);
    tampered[tampered.find('.') + 2] ^= 1;  // inside the claims: the signature no longer holds
    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith(tampered), NOW), "VAPID");
}

// Regression (issue 12): a peer replayed an expired JWT with a creation time of its choice,
// and the proxy judged exp against that ct.
TEST_CASE("an expired JWT is refused whatever creation time the envelope claims", "[proxy][vapid_check]") {
    const auto bound = keys();
    const auto expiredAnHourAgo = header(bound, ORIGIN, NOW - 3600);
    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith(expiredAnHourAgo, NOW - 7200), NOW), "expired");
    // A valid JWT on an envelope claiming to be created after the JWT's exp is a forgery too.
    requireForbidden(checkEnvelopeVapid(bound.publicKey, envelopeWith(header(bound, ORIGIN, NOW + 60), NOW + 61), NOW),
                     "after its JWT expired");
}

TEST_CASE("a bound subscription takes only aes128gcm bodies", "[proxy][vapid_check]") {
    const auto bound = keys();
    for (const std::string encoding : {"", "aesgcm"}) {
        CAPTURE(encoding);
        auto plain = envelopeWith(header(bound));
        plain.encoding = encoding;
        requireForbidden(checkEnvelopeVapid(bound.publicKey, plain, NOW), "aes128gcm");
        CHECK(checkEnvelopeVapid("", plain, NOW).ok());  // unbound: the device decides
    }
}

TEST_CASE("a token's key commitment makes any node require and check the bound key", "[proxy][vapid_check]") {
    const auto bound = keys(), other = keys();
    const auto commitment = dhtpush::crypto::SubscriptionToken::keyCommitment(*dhtpush::crypto::base64urlDecode(bound.publicKey));
    requireForbidden(checkPostVapid("", std::nullopt, AUDIENCES, NOW, commitment), "header is required");
    requireForbidden(checkPostVapid("", header(other), AUDIENCES, NOW, commitment), "not the VAPID key");
    const auto signer = checkPostVapid("", header(bound), AUDIENCES, NOW, commitment);
    REQUIRE(signer.ok());
    CHECK(*signer == bound.publicKey);
}
