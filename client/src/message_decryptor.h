#pragma once
// The device side of RFC 8291: a delivered message's body as the app server wrote it.
#include "dhtpush/client/device_state.h"
#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"
#include "dhtpush/node/message_json.h"

namespace dhtpush::client {

// An aes128gcm body is decrypted with the keys of its subscription in `state`; a body with
// no content coding is returned as it is. NotFound: the subscription is not in the state;
// Invalid: it has no keys; UnsupportedEncoding: another coding; and the errors of
// crypto::webpushDecrypt (Malformed, Forbidden for a wrong key or a tampered body).
Expected<crypto::Bytes> decryptMessage(const node::DeliveredMessage& message, const DeviceState& state);

}  // namespace dhtpush::client
