#include "message_decryptor.h"

#include "dhtpush/crypto/webpush_encryption.h"

namespace dhtpush::client {

Expected<crypto::Bytes> decryptMessage(const node::DeliveredMessage& message, const DeviceState& state) {
    const auto& envelope = message.envelope;
    if (envelope.encoding.empty()) return envelope.body;
    if (envelope.encoding != "aes128gcm")
        return makeError(Errc::UnsupportedEncoding, "content coding '" + envelope.encoding + "' is not aes128gcm");
    const auto* subscription = state.findSubscription(message.token);
    if (!subscription) return makeError(Errc::NotFound, "no subscription " + message.token + " in the device state");
    if (subscription->p256dh.empty() || subscription->privateKey.empty() || subscription->auth.empty())
        return makeError(Errc::Invalid, "subscription " + message.token + " has no encryption keys");
    return crypto::webpushDecrypt(envelope.body, subscription->p256dh, subscription->privateKey, subscription->auth);
}

}  // namespace dhtpush::client
