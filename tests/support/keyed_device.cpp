#include "keyed_device.h"

#include <stdexcept>

#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "message_decryptor.h"

namespace dhtpush::test {
namespace {

template <class T>
T required(Expected<T> value, const char* what) {
    if (!value) throw std::runtime_error(std::string(what) + ": " + value.error().detail);
    return std::move(*value);
}

}  // namespace

KeyedDevice::KeyedDevice(const std::string& proxyUrl, const std::string& vapidKey) {
    account = required(client::attachDevice(proxyUrl), "attach");
    const auto keys = required(crypto::generateSubscriptionKeys(), "subscription keys");
    const auto created = required(client::addSubscription(account, "", vapidKey), "subscribe");
    subscription.token = created.token;
    subscription.endpoint = created.endpoint;
    subscription.proxyUrl = proxyUrl;
    subscription.p256dh = keys.p256dh;
    subscription.auth = keys.auth;
    subscription.privateKey = keys.privateKey;
    state.proxies.push_back(account);
    state.subscriptions.push_back(subscription);
}

client::PushOptions KeyedDevice::encrypted() const {
    client::PushOptions options;
    options.ttlSeconds = 600;
    options.p256dh = subscription.p256dh;
    options.auth = subscription.auth;
    return options;
}

std::string KeyedDevice::decrypt(const node::DeliveredMessage& message) const {
    return crypto::toString(required(client::decryptMessage(message, state), "decrypt"));
}

crypto::Bytes KeyedDevice::seal(const std::string& text) const {
    return required(crypto::webpushEncrypt(crypto::toBytes(text), subscription.p256dh, subscription.auth), "encrypt");
}

crypto::VapidKeys newVapidKeys() { return required(crypto::generateVapidKeys(), "VAPID keys"); }

client::PushOptions signedWith(client::PushOptions options, const crypto::VapidKeys& keys) {
    options.vapid = keys;
    options.vapidSubject = "mailto:ops@example.com";
    return options;
}

}  // namespace dhtpush::test
