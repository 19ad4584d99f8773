// crypto::verifyVapidAuthorization on hostile Authorization values, as a node checks them:
// once for any key, once for a bound key (RFC 8291 Appendix A's app server key, whose
// signatures the seeds carry). Whatever passes must satisfy every rule of RFC 8292.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dhtpush/crypto/vapid.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;
namespace crypto = dhtpush::crypto;

namespace {

const std::string BOUND_KEY =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
const std::string AUDIENCE = "https://push.example.net";
constexpr std::int64_t NOW = 1700000000;  // the seeds are signed for an hour after this

void checkClaims(const crypto::VapidClaims& claims) {
    check(claims.audience == AUDIENCE, "accepted another audience");
    check(claims.expiresAt > NOW, "accepted an expired JWT");
    check(claims.expiresAt <= NOW + crypto::VAPID_MAX_LIFETIME_SECONDS, "accepted a JWT beyond 24 hours");
    check(!claims.subject.empty(), "accepted an empty subject");
    check(!claims.publicKey.empty(), "accepted without a key");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view header(reinterpret_cast<const char*>(data), size);

    const auto any = crypto::verifyVapidAuthorization(header, "", AUDIENCE, NOW);
    if (any) checkClaims(*any);
    else check(!any.error().detail.empty(), "an error without a detail");

    const auto bound = crypto::verifyVapidAuthorization(header, BOUND_KEY, AUDIENCE, NOW);
    if (bound) {
        checkClaims(*bound);
        check(bound->publicKey == BOUND_KEY, "accepted a key other than the bound one");
        check(any.ok(), "accepted for a bound key but not for any key");
    }
    // An RFC 8292 §2.4 exp a decade before NOW: only the clock may differ between the passes.
    const auto early = crypto::verifyVapidAuthorization(header, "", AUDIENCE, NOW - 10 * 365 * 24 * 3600);
    if (early) check(early->expiresAt <= NOW - 10 * 365 * 24 * 3600 + crypto::VAPID_MAX_LIFETIME_SECONDS, "window");
    return 0;
}
