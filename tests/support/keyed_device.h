#pragma once
// A device attached to one proxy over real HTTP with one subscription whose RFC 8291 keys it
// made itself, as `dhtpush subscribe` does; optionally bound to an app server's VAPID key.
// Throws std::runtime_error when the proxy refuses (tests set up, they do not handle that).
#include <string>

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/device_state.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/node/message_json.h"

namespace dhtpush::test {

struct KeyedDevice {
    client::ProxyAccount account;
    client::DeviceState state;
    client::Subscription subscription;

    explicit KeyedDevice(const std::string& proxyUrl, const std::string& vapidKey = "");
    std::string endpointOn(const std::string& proxyUrl) const { return proxyUrl + "/wp/" + subscription.token; }
    // Push options that encrypt for this subscription, TTL 600.
    client::PushOptions encrypted() const;
    // The plaintext of a message for this subscription; throws when it does not decrypt.
    std::string decrypt(const node::DeliveredMessage& message) const;
    // An aes128gcm body for this subscription, as an app server makes it.
    crypto::Bytes seal(const std::string& text) const;
};

// A fresh VAPID key pair; throws if the generator fails.
crypto::VapidKeys newVapidKeys();
// `options`, signed with `keys` (subject mailto:ops@example.com).
client::PushOptions signedWith(client::PushOptions options, const crypto::VapidKeys& keys);

}  // namespace dhtpush::test
