// Issue 17, item 3: a subscription bound to an application server key (RFC 8292 §4) gets a
// version-3 token that commits to the key, so every node that takes a POST refuses what the
// device's proxy refuses, instead of answering 201 for a message that is then dropped.
#include <ctime>
#include <string>
#include <vector>

#include "await.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/node/url_origin.h"
#include "keyed_device.h"
#include "proxy_fixture.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::string jwt(const crypto::VapidKeys& keys, const std::string& audience, std::int64_t exp) {
    auto header = crypto::vapidAuthorization(keys, audience, "mailto:ops@example.com", exp);
    REQUIRE(header.ok());
    return *header;
}

long post(const std::string& endpoint, const crypto::Bytes& body, const std::string& authorization) {
    client::HttpRequest request{"POST", endpoint, {"TTL: 60", "Content-Encoding: aes128gcm"}, crypto::toString(body)};
    if (!authorization.empty()) request.headers.push_back("Authorization: " + authorization);
    auto response = client::httpRequest(request);
    REQUIRE(response.ok());
    return response->status;
}

}  // namespace

// Regression: any node but the device's proxy answered 201 to unsigned or wrongly signed POSTs.
TEST_CASE("every node refuses what a bound endpoint's own proxy refuses", "[integration][crypto]") {
    LocalDhtNetwork network(6);
    RunningProxy deviceProxy(network), otherB(network), otherC(network);
    const auto appServer = newVapidKeys(), stranger = newVapidKeys();
    const KeyedDevice device(deviceProxy.url(), appServer.publicKey);
    CHECK(crypto::SubscriptionToken::parse(device.subscription.token)->version() == 3);
    EventRecorder recorder(device.account);
    const auto body = device.seal("forged");
    const auto now = static_cast<std::int64_t>(std::time(nullptr));

    for (const auto* node : {&deviceProxy, &otherB, &otherC}) {
        const auto endpoint = device.endpointOn(node->url());
        const auto origin = *node::urlOrigin(node->url());
        INFO("at " << node->url());
        CHECK(post(endpoint, body, "") == 403);                                         // unsigned
        CHECK(post(endpoint, body, jwt(stranger, origin, now + 600)) == 403);           // another key
        CHECK(post(endpoint, body, jwt(appServer, origin, now - 10)) == 403);           // expired
        CHECK(post(endpoint, body, jwt(appServer, "https://elsewhere.example", now + 600)) == 403);  // audience
    }
    // The app server, at any node: delivered, and only that.
    REQUIRE(post(device.endpointOn(otherB.url()), device.seal("genuine"),
                 jwt(appServer, *node::urlOrigin(otherB.url()), now + 600)) == 201);
    REQUIRE(recorder.waitForCount(1));
    REQUIRE_FALSE(recorder.waitForCount(2, std::chrono::milliseconds(1000)));
    CHECK(device.decrypt(recorder.messages()[0]) == "genuine");
}
