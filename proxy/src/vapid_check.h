#pragma once
// Sender authentication rules of a node (RFC 8292, docs/protocol.md "Encryption and sender
// authentication"). A subscription may bind an app server's VAPID public key; then only
// messages signed by that key get through, at the node that accepts the POST and again at
// the device's proxy, which checks the proof carried in the envelope. Pure: no I/O, the
// clock is a parameter.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"

namespace dhtpush::proxy {

// POST /wp/<token> on this node.
//   boundKey       the subscription's bound key (base64url 65-byte point); empty when none is
//                  bound or the token is not a subscription of this node
//   authorization  the request's Authorization header, if any
//   audiences      the origins this node answers as (urlOrigin of its public URL, then any
//                  other base URL it serves; see node::urlOrigin); a JWT's aud must be one of them
// Success without a header on an unbound subscription. Any header given is verified (and
// must fit the envelope, node::MAX_VAPID_BYTES):
// `vapid t=<JWT>, k=<key>`, ES256 signature by k, aud one of `audiences`,
// nowUnix < exp <= nowUnix + 24 h, and k equal to boundKey when one is bound.
// Forbidden, with a detail naming the failed rule, otherwise (no header for a bound key
// included); never Unauthorized, so that senders see RFC 8292 §4.2's answer.
//   keyCommitment  what a version-3 token commits to (crypto::SubscriptionToken::boundKeyCommitment),
//                  so that every node, not only the device's proxy, knows the endpoint is bound:
//                  then a header is required and its k must hash to it (else Forbidden, as for
//                  boundKey)
// Returns the verified key `k` (empty when no header was given).
Expected<std::string> checkPostVapid(const std::string& boundKey, std::optional<std::string_view> authorization,
                                     const std::vector<std::string>& audiences, std::int64_t nowUnix,
                                     const crypto::Bytes& keyCommitment = {});

// An envelope that reached the device's proxy through the DHT, for a subscription whose
// bound key is `boundKey` (may be empty), checked at `nowUnix` by this node's clock. Success
// when no key is bound. With a bound key: Forbidden unless the body is aes128gcm (only the
// device can authenticate a body: RFC 8291's auth secret) and envelope.vapid verifies with
// boundKey: signature, nowUnix < exp <= nowUnix + 24 h, and the envelope created before exp.
// The `ct` is a peer's claim: it never widens the window (docs/security.md "Time"). Any aud
// is accepted: the node that took the POST checked it against its own origin.
// Returns the JWT's exp (0 when no key is bound).
Expected<std::int64_t> checkEnvelopeVapid(const std::string& boundKey, const node::Envelope& envelope,
                                          std::int64_t nowUnix);

}  // namespace dhtpush::proxy
