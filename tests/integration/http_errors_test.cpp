// Every error a client can cause gets its status and an application/problem+json body,
// and none of them hurts the node.
#include <asio.hpp>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/node/json.h"
#include "proxy_fixture.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

client::HttpResponse call(const std::string& method, const std::string& url, std::vector<std::string> headers = {},
                          std::string body = {}) {
    auto response = client::httpRequest({method, url, std::move(headers), std::move(body)});
    REQUIRE(response.ok());
    return *response;
}

void requireProblem(const client::HttpResponse& response, long status) {
    INFO(response.body);
    REQUIRE(response.status == status);
    CHECK(response.headers.at("content-type") == "application/problem+json");
    auto json = node::parseJson(response.body);
    REQUIRE(json.ok());
    CHECK((*json)["status"].asInt() == status);
    CHECK(!(*json)["detail"].asString().empty());
    CHECK((*json)["type"].asString().rfind("urn:dhtpush:problem:", 0) == 0);
}

// Sends raw bytes on a fresh TCP connection and returns what the server answers before closing.
std::string rawExchange(std::uint16_t port, const std::string& bytes) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::error_code ec;
    asio::write(socket, asio::buffer(bytes), ec);
    std::string answer;
    char buffer[4096];
    for (;;) {
        const auto n = socket.read_some(asio::buffer(buffer), ec);
        if (ec) break;
        answer.append(buffer, n);
        if (answer.find("\r\n\r\n") != std::string::npos) break;
    }
    return answer;
}

std::uint16_t portOf(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

}  // namespace

TEST_CASE("the WebPush endpoint answers each bad request with its status and a problem body", "[integration]") {
    LocalDhtNetwork network(3);
    RunningProxy proxy(network);
    const auto endpoint = proxy.url() + "/wp/" + crypto::SubscriptionToken::generate().text();

    SECTION("400 without TTL") { requireProblem(call("POST", endpoint, {}, "x"), 400); }
    SECTION("400 for a TTL that is not a number") { requireProblem(call("POST", endpoint, {"TTL: soon"}, "x"), 400); }
    SECTION("400 for an unknown Urgency") {
        requireProblem(call("POST", endpoint, {"TTL: 60", "Urgency: asap"}, "x"), 400);
    }
    SECTION("400 for a Topic outside the base64url alphabet") {
        requireProblem(call("POST", endpoint, {"TTL: 60", "Topic: a/b"}, "x"), 400);
    }
    SECTION("415 for an unsupported Content-Encoding") {
        requireProblem(call("POST", endpoint, {"TTL: 60", "Content-Encoding: gzip"}, "x"), 415);
    }
    SECTION("400 for an aes128gcm body without RFC 8291's header") {
        requireProblem(call("POST", endpoint, {"TTL: 60", "Content-Encoding: aes128gcm"}, "not a record"), 400);
    }
    SECTION("413 above 4096 bytes") { requireProblem(call("POST", endpoint, {"TTL: 60"}, std::string(4097, 'a')), 413); }
    SECTION("404 for an endpoint that is not a subscription token") {
        requireProblem(call("POST", proxy.url() + "/wp/not-a-token", {"TTL: 60"}, "x"), 404);
        requireProblem(call("GET", proxy.url() + "/wp/not-a-token"), 404);
    }
    SECTION("404 for an unknown route") { requireProblem(call("GET", proxy.url() + "/nothing/here"), 404); }
    SECTION("201 with the honoured TTL for a content-less wake-up, capped TTL") {
        auto response = call("POST", endpoint, {"TTL: 999999999"}, "");
        CHECK(response.status == 201);
        CHECK(response.headers.at("ttl") == "604800");
        CHECK(response.headers.at("location").rfind(proxy.url() + "/m/", 0) == 0);
    }
    SECTION("GET on an endpoint tells UnifiedPush app servers what it is") {
        auto response = call("GET", endpoint);
        CHECK(response.status == 200);
        CHECK(response.body == R"({"unifiedpush":{"version":1}})");
    }
}

TEST_CASE("the device API answers each bad request with its status and a problem body", "[integration]") {
    LocalDhtNetwork network(3);
    RunningProxy proxy(network);
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    const auto subscriptions = proxy.url() + "/v1/devices/" + account->deviceId + "/subscriptions";
    const auto auth = "Authorization: Bearer " + account->secret;

    SECTION("401 without credentials") { requireProblem(call("GET", subscriptions), 401); }
    SECTION("401 for a non-bearer credential") {
        requireProblem(call("GET", subscriptions, {"Authorization: Basic Zm9vOmJhcg=="}), 401);
    }
    SECTION("403 for a wrong secret") {
        requireProblem(call("GET", subscriptions, {"Authorization: Bearer wrong-secret"}), 403);
        requireProblem(call("GET", proxy.url() + "/v1/devices/" + account->deviceId + "/events",
                            {"Authorization: Bearer wrong-secret"}),
                       403);
    }
    SECTION("404 for an unknown device") {
        requireProblem(call("GET", proxy.url() + "/v1/devices/nobody/subscriptions", {auth}), 404);
    }
    SECTION("400 for malformed JSON") { requireProblem(call("POST", subscriptions, {auth}, "{\"token\": "), 400); }
    SECTION("400 for a token that is not a subscription token") {
        requireProblem(call("POST", subscriptions, {auth}, R"({"token": "abc"})"), 400);
    }
    SECTION("404 when removing a subscription the device does not have") {
        requireProblem(call("DELETE", subscriptions + "/" + crypto::SubscriptionToken::generate().text(), {auth}), 404);
    }
    SECTION("409 when another device holds the token") {
        auto mine = client::addSubscription(*account, "");
        REQUIRE(mine.ok());
        auto other = client::attachDevice(proxy.url());
        REQUIRE(other.ok());
        auto taken = client::addSubscription(*other, mine->token);
        REQUIRE_FALSE(taken.ok());
        CHECK(taken.error().code == Errc::Conflict);
    }
    SECTION("a deleted device is gone, with its subscriptions") {
        REQUIRE(client::addSubscription(*account, "").ok());
        CHECK(call("DELETE", proxy.url() + "/v1/devices/" + account->deviceId, {auth}).status == 204);
        requireProblem(call("GET", subscriptions, {auth}), 404);
    }
}

TEST_CASE("malformed HTTP and oversized bodies never take the node down", "[integration]") {
    LocalDhtNetwork network(3);
    RunningProxy proxy(network);
    const auto port = portOf(proxy.url());

    const auto garbage = rawExchange(port, "THIS IS NOT HTTP\r\n\r\n");
    CHECK((garbage.empty() || garbage.rfind("HTTP/1.1 400", 0) == 0));
    const auto badLength = rawExchange(port, "POST /wp/x HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n");
    CHECK((badLength.empty() || badLength.rfind("HTTP/1.1 400", 0) == 0));
    // Above restinio's body limit the connection is closed rather than buffered.
    const auto huge = rawExchange(port, "POST /wp/x HTTP/1.1\r\nHost: a\r\nTTL: 5\r\nContent-Length: 100000000\r\n\r\n");
    CHECK((huge.empty() || huge.rfind("HTTP/1.1 413", 0) == 0));
    const auto binary = rawExchange(port, std::string("\x00\xff\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 13));
    CHECK((binary.empty() || binary.rfind("HTTP/1.1 400", 0) == 0));

    auto health = call("GET", proxy.url() + "/health");
    CHECK(health.status == 200);
}

TEST_CASE("health reports the DHT connection, not only that HTTP answers", "[integration]") {
    LocalDhtNetwork network(3);
    RunningProxy proxy(network);
    auto health = call("GET", proxy.url() + "/health");
    REQUIRE(health.status == 200);
    auto json = node::parseJson(health.body);
    REQUIRE(json.ok());
    CHECK((*json)["status"].asString() == "ok");
    CHECK((*json)["dht"]["connected"].asBool());
    CHECK((*json)["dht"]["good_nodes"].asUInt() >= 1);
}

TEST_CASE("a node cut off from its DHT says so on /health and refuses to accept pushes", "[integration]") {
    // A node given a bootstrap address where nobody answers never connects.
    node::DhtNodeConfig cutOff;
    cutOff.bindAddress = "127.0.0.1";
    cutOff.networkId = 0x7e57ffff;
    cutOff.bootstrap = {"127.0.0.1:9"};
    cutOff.unlimitedRate = true;
    auto lonely = node::DhtNode::start(cutOff);
    REQUIRE(lonely.ok());
    asio::io_context io;
    proxy::ProxyConfig config;
    config.standalone = false;
    auto server = proxy::ProxyServer::start(io, **lonely, config);
    REQUIRE(server.ok());
    std::thread thread([&] { io.run(); });

    auto health = call("GET", (*server)->baseUrl() + "/health");
    CHECK(health.status == 503);
    requireProblem(call("POST", (*server)->baseUrl() + "/wp/" + crypto::SubscriptionToken::generate().text(),
                        {"TTL: 60"}, "x"),
                   503);

    (*server)->stop();
    io.stop();
    thread.join();
}

TEST_CASE("a node whose DHT publishing backlog is full answers 503 with Retry-After", "[integration]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.maxPublishBacklog = 0;  // every put counts as over the limit
    RunningProxy proxy(network, config);
    auto response = call("POST", proxy.url() + "/wp/" + crypto::SubscriptionToken::generate().text(), {"TTL: 60"}, "x");
    requireProblem(response, 503);
    CHECK(response.headers.at("retry-after") == "1");
}

TEST_CASE("a POST that no DHT node stores is answered 503 with Retry-After, not 201", "[integration]") {
    // Both ways into the DHT: a put of its own (version 1) and a batch at an inbox key (version 2).
    const auto inbox = crypto::randomBytes(crypto::INBOX_ID_BYTES);
    const auto token = GENERATE_COPY(as<std::string>{}, crypto::SubscriptionToken::generate().text(),
                                     crypto::SubscriptionToken::generateInInbox(inbox)->text());
    auto network = std::make_unique<LocalDhtNetwork>(3);
    proxy::ProxyConfig config;
    config.maxPublishWait = std::chrono::seconds(60);  // the put's own failure answers, not the wait
    RunningProxy proxy(*network, config);
    // The peers vanish without a word: the proxy's node still counts them as good, so the POST
    // is taken and its put fails only when they stay silent.
    network.reset();
    REQUIRE(proxy.dht().connected());
    // OpenDHT gives up on silent nodes after several request timeouts (≈8 s here).
    auto response =
        client::httpRequest({"POST", proxy.url() + "/wp/" + token, {"TTL: 60"}, "x", std::chrono::seconds(45)});
    REQUIRE(response.ok());
    requireProblem(*response, 503);
    CHECK(response->headers.at("retry-after") == "1");
    CHECK(response->body.find("no DHT node took the message") != std::string::npos);
    // The failure shows to operators.
    auto health = node::parseJson(call("GET", proxy.url() + "/health").body);
    REQUIRE(health.ok());
    CHECK((*health)["dht"]["values_failed"].asUInt64() == 1);
    CHECK((*health)["dht"]["values_put"].asUInt64() == 1);
}

TEST_CASE("a node refuses POSTs to more distinct DHT keys than its budget, and keeps taking the ones it counts",
          "[integration]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.maxPublishKeys = 2;
    RunningProxy proxy(network, config);
    const auto post = [&](const std::string& token) {
        return call("POST", proxy.url() + "/wp/" + token, {"TTL: 60"}, "x");
    };
    const auto first = crypto::SubscriptionToken::generate().text();
    // Two tokens of one inbox share its key: they count once.
    const auto inbox = crypto::randomBytes(crypto::INBOX_ID_BYTES);
    const auto inInbox = crypto::SubscriptionToken::generateInInbox(inbox)->text();
    const auto inSameInbox = crypto::SubscriptionToken::generateInInbox(inbox)->text();
    CHECK(post(first).status == 201);
    CHECK(post(inInbox).status == 201);
    CHECK(post(inSameInbox).status == 201);

    auto refused = post(crypto::SubscriptionToken::generate().text());
    requireProblem(refused, 503);
    CHECK(refused.headers.at("retry-after") == "60");
    CHECK(refused.body.find("too many distinct endpoints") != std::string::npos);
    CHECK(post(first).status == 201);
    CHECK(post(inInbox).status == 201);
    // Filling the budget does not shut the proxy's own devices off: it watches their keys.
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    auto own = client::addSubscription(*account, "");
    REQUIRE(own.ok());
    CHECK(post(own->token).status == 201);
}
