#include "message_decryptor.h"

#include <string>

#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/webpush_encryption.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::Bytes;
using namespace dhtpush::client;

namespace {

const std::string TOKEN = "AXo_tKy6cLTTPlKzZtkdm_o";

struct Fixture {
    DeviceState state;
    dhtpush::crypto::SubscriptionKeys keys;
    Fixture() {
        auto k = dhtpush::crypto::generateSubscriptionKeys();
        REQUIRE(k.ok());
        keys = *k;
        Subscription s;
        s.token = TOKEN;
        s.p256dh = keys.p256dh;
        s.auth = keys.auth;
        s.privateKey = keys.privateKey;
        state.subscriptions.push_back(s);
    }
};

dhtpush::node::DeliveredMessage message(const std::string& token, const std::string& encoding, Bytes body) {
    dhtpush::node::DeliveredMessage m;
    m.token = token;
    m.envelope.id = Bytes(dhtpush::node::MESSAGE_ID_BYTES, 0x22);
    m.envelope.encoding = encoding;
    m.envelope.body = std::move(body);
    return m;
}

Bytes encrypt(const Fixture& f, const std::string& text) {
    auto body = dhtpush::crypto::webpushEncrypt(dhtpush::crypto::toBytes(text), f.keys.p256dh, f.keys.auth);
    REQUIRE(body.ok());
    return *body;
}

}  // namespace

TEST_CASE("an aes128gcm message decrypts with its subscription's keys", "[client][message_decryptor]") {
    const Fixture f;
    const auto plain = decryptMessage(message(TOKEN, "aes128gcm", encrypt(f, "héllo, device")), f.state);
    REQUIRE(plain.ok());
    CHECK(dhtpush::crypto::toString(*plain) == "héllo, device");
}

TEST_CASE("a message without content coding is its body", "[client][message_decryptor]") {
    const Fixture f;
    const auto plain = decryptMessage(message("unknown-token", "", dhtpush::crypto::toBytes("as sent")), f.state);
    REQUIRE(plain.ok());
    CHECK(dhtpush::crypto::toString(*plain) == "as sent");
}

TEST_CASE("decryptMessage names why it cannot decrypt", "[client][message_decryptor]") {
    const Fixture f;
    const auto body = encrypt(f, "secret");

    auto unknown = decryptMessage(message("AQAAAAAAAAAAAAAAAAAAAAA", "aes128gcm", body), f.state);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == Errc::NotFound);

    auto coding = decryptMessage(message(TOKEN, "aesgcm", body), f.state);
    REQUIRE_FALSE(coding.ok());
    CHECK(coding.error().code == Errc::UnsupportedEncoding);

    auto noKeys = f.state;
    noKeys.subscriptions[0].privateKey.clear();
    auto missing = decryptMessage(message(TOKEN, "aes128gcm", body), noKeys);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::Invalid);

    auto tampered = body;
    REQUIRE(tampered.size() > 16);
    tampered[tampered.size() - 1] ^= 1;  // not back(): GCC 12 at -O2 warns about an empty vector
    auto forged = decryptMessage(message(TOKEN, "aes128gcm", tampered), f.state);
    REQUIRE_FALSE(forged.ok());
    CHECK(forged.error().code == Errc::Forbidden);

    const Fixture other;  // encrypted for another subscription's keys
    auto wrongKeys = decryptMessage(message(TOKEN, "aes128gcm", encrypt(other, "not yours")), f.state);
    REQUIRE_FALSE(wrongKeys.ok());
    CHECK(wrongKeys.error().code == Errc::Forbidden);

    auto truncated = decryptMessage(message(TOKEN, "aes128gcm", Bytes(body.begin(), body.begin() + 10)), f.state);
    REQUIRE_FALSE(truncated.ok());
    CHECK(truncated.error().code == Errc::Malformed);
}
