// parseBearer, parseSubscriptionRequest and parseNewSubscription on hostile input (the whole input is offered to both:
// once as an Authorization header value, once as a request body).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "device_request.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (const auto secret = dhtpush::proxy::parseBearer(text)) {
        check(!secret->empty() && secret->size() <= 256, "bearer secret empty or above 256 bytes");
        check("Bearer " + *secret == text, "bearer secret is not the rest of the header");
    }
    check(!dhtpush::proxy::parseBearer(std::nullopt).ok(), "accepted a missing Authorization header");

    if (const auto request = dhtpush::proxy::parseSubscriptionRequest(text)) {
        // A bound key is a 65-byte point: 87 characters of base64url.
        check(request->vapidKey.empty() || request->vapidKey.size() == 87, "accepted a vapid_key of the wrong size");
    }
    if (const auto token = dhtpush::proxy::parseNewSubscription(text)) {
        const auto again = dhtpush::crypto::SubscriptionToken::parse(token->text());
        check(again.has_value() && *again == *token, "an accepted subscription token does not parse back");
    }
    return 0;
}
