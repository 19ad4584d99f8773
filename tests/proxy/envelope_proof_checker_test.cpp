#include "envelope_proof_checker.h"

#include "dhtpush/crypto/vapid.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::node::Envelope;
using dhtpush::node::Urgency;
using dhtpush::proxy::EnvelopeProofChecker;

namespace {

constexpr std::int64_t NOW = 1700000000;

dhtpush::crypto::VapidKeys keys() {
    auto k = dhtpush::crypto::generateVapidKeys();
    REQUIRE(k.ok());
    return *k;
}

Envelope signedEnvelope(const dhtpush::crypto::VapidKeys& k, std::int64_t exp = NOW + 3600) {
    auto e = Envelope::create(60, Urgency::Normal, "", "aes128gcm", {1, 2, 3});
    e.createdMs = static_cast<std::uint64_t>(NOW) * 1000;
    auto header = dhtpush::crypto::vapidAuthorization(k, "https://node.example", "mailto:a@b.c", exp);
    REQUIRE(header.ok());
    e.vapid = *header;
    return e;
}

}  // namespace

TEST_CASE("a proof is verified once, then answered from memory", "[proxy][proofs]") {
    const auto app = keys();
    EnvelopeProofChecker checker;
    const auto envelope = signedEnvelope(app);
    for (int i = 0; i < 100; ++i) REQUIRE(checker.check("tok", app.publicKey, envelope, NOW).ok());
    CHECK(checker.signatureChecks() == 1);
    // Remembered with its expiry: the same header after its exp is refused without a check.
    const auto late = checker.check("tok", app.publicKey, envelope, NOW + 3600);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == Errc::Forbidden);
    CHECK(checker.signatureChecks() == 1);
}

TEST_CASE("a failed proof repeated costs no second verification", "[proxy][proofs]") {
    const auto app = keys(), forger = keys();
    EnvelopeProofChecker checker;
    auto forged = signedEnvelope(forger);
    forged.vapid = forged.vapid.substr(0, forged.vapid.find("k=") + 2) + app.publicKey;
    for (int i = 0; i < 50; ++i) {
        const auto refused = checker.check("tok", app.publicKey, forged, NOW);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == Errc::Forbidden);
    }
    CHECK(checker.signatureChecks() == 1);
}

TEST_CASE("a burst of real proofs, each new, is never cut", "[proxy][proofs]") {
    const auto app = keys();
    EnvelopeProofChecker checker(4096, 1);  // a burst of 2 failures
    for (int i = 0; i < 20; ++i) CHECK(checker.check("tok", app.publicKey, signedEnvelope(app, NOW + 100 + i), NOW).ok());
    CHECK(checker.signatureChecks() == 20);
}

TEST_CASE("failed proofs for one subscription are budgeted, other subscriptions keep theirs", "[proxy][proofs]") {
    const auto app = keys(), forger = keys();
    EnvelopeProofChecker checker(4096, 1);  // a burst of 2
    std::size_t limited = 0;
    for (int i = 0; i < 10; ++i) {
        auto forged = signedEnvelope(forger, NOW + 100 + i);  // a new header each time
        const auto refused = checker.check("flooded", app.publicKey, forged, NOW);
        REQUIRE_FALSE(refused.ok());
        if (refused.error().code == Errc::Unavailable) ++limited;
    }
    CHECK(limited == 8);
    CHECK(checker.signatureChecks() == 2);
    CHECK(checker.check("other", app.publicKey, signedEnvelope(app), NOW).ok());
}

TEST_CASE("the cheap rules need no verification", "[proxy][proofs]") {
    const auto app = keys();
    EnvelopeProofChecker checker;
    auto plain = signedEnvelope(app);
    plain.encoding = "";
    CHECK(checker.check("tok", app.publicKey, plain, NOW).error().code == Errc::Forbidden);
    auto unsigned_ = signedEnvelope(app);
    unsigned_.vapid.clear();
    CHECK(checker.check("tok", app.publicKey, unsigned_, NOW).error().code == Errc::Forbidden);
    CHECK(checker.check("tok", "", plain, NOW).ok());  // unbound
    CHECK(checker.signatureChecks() == 0);
}
