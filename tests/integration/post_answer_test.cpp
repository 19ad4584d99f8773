// Issue 12, "201 means stored": a POST is answered 201 only once the message is durably held,
// by the device's proxy's mailbox (committed) or by a storing node of the DHT; otherwise
// 503/507 with Retry-After, so the app server sends it again.
#include <sqlite3.h>

#include <chrono>

#include "dhtpush/client/http_client.h"
#include "keyed_device.h"
#include "proxy_fixture.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

// Messages committed to a proxy's database, read through a connection of our own.
int committedMessages(const std::filesystem::path& database) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* count = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM mailbox", -1, &count, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(count) == SQLITE_ROW);
    const int n = sqlite3_column_int(count, 0);
    sqlite3_finalize(count);
    sqlite3_close(db);
    return n;
}

client::HttpResponse post(const std::string& endpoint) {
    auto response = client::httpRequest({"POST", endpoint, {"TTL: 600"}, "x"});
    REQUIRE(response.ok());
    return *response;
}

}  // namespace

// Regression: a standalone node answered 201 before its mailbox had committed the message.
TEST_CASE("the device's proxy answers 201 only after its mailbox committed the message", "[integration][stored]") {
    TempDir tmp;
    LocalDhtNetwork network(2);
    proxy::ProxyConfig config;
    config.dataDir = (tmp.path() / "node").string();
    config.standalone = true;
    RunningProxy proxy(network, config);
    const KeyedDevice device(proxy.url());
    for (int i = 1; i <= 5; ++i) {
        REQUIRE(client::sendPush(device.endpointOn(proxy.url()), "m", device.encrypted()).ok());
        CHECK(committedMessages(tmp.path() / "node" / "proxy.sqlite") == i);
    }
}

// Regression: after 1 s without an answer from the DHT a POST got 201 all the same.
TEST_CASE("a POST that no storing node took in time gets 503 with Retry-After, not 201", "[integration][stored]") {
    LocalDhtNetwork network(3);
    proxy::ProxyConfig config;
    config.maxPublishWait = std::chrono::milliseconds(0);  // the wait runs out before any put can finish
    RunningProxy sender(network, config);
    RunningProxy proxy(network);
    const KeyedDevice device(proxy.url());
    // The DHT runs on a thread of its own: a put can beat even a wait of 0 on a fast machine
    // now and then, so a few tries (each answered 201 or 503, nothing else).
    client::HttpResponse response;
    for (int i = 0; i < 20 && response.status != 503; ++i) {
        response = post(device.endpointOn(sender.url()));
        REQUIRE((response.status == 503 || response.status == 201));
    }
    CHECK(response.status == 503);
    CHECK(response.headers.count("retry-after") == 1);
    CHECK(response.body.find("retry") != std::string::npos);
    // Counted (and reported on stderr): a 503 never goes unseen by the operator.
    auto health = client::httpRequest({"GET", sender.url() + "/health", {}, {}});
    REQUIRE(health.ok());
    CHECK(health->body.find("\"message_not_stored\":") != std::string::npos);
    // The same message at a node that waits long enough is stored and answered 201.
    CHECK(post(device.endpointOn(proxy.url())).status == 201);
}
