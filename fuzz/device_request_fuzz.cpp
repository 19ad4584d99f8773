// The device API's parsers on hostile input: parseBearer, parseSubscriptionRequest and parseNewSubscription
// (the whole input offered once as an Authorization header value, once as a request body), and the
// mailbox's parseAcks, parseLastEventId and parseStreamUrgency (as an ack body, a header, a query).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "device_request.h"
#include "fuzz_check.h"
#include "mailbox_request.h"

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
    if (const auto ids = dhtpush::proxy::parseAcks(text))
        check(!ids->empty() && ids->size() <= 1000, "accepted an ack body of no or too many ids");
    check(dhtpush::proxy::parseLastEventId(text) >= 0, "a negative resume point");
    if (const auto urgency = dhtpush::proxy::parseStreamUrgency(text))
        check(*urgency <= dhtpush::node::Urgency::High, "an urgency outside the four of RFC 8030");
    return 0;
}
