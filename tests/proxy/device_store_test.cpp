#include "device_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/token.h"

#include "temp_dir.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::proxy::DeviceStore;

namespace fs = std::filesystem;

namespace {

using dhtpush::test::TempDir;

std::unique_ptr<DeviceStore> openStore(const fs::path& file) {
    auto store = DeviceStore::open(file.string());
    INFO((store.ok() ? std::string() : store.error().detail));
    REQUIRE(store.ok());
    return std::move(*store);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::string> tokensOf(DeviceStore& store, const std::string& deviceId) {
    auto tokens = store.subscriptionsOf(deviceId);
    REQUIRE(tokens.ok());
    return sorted(*tokens);
}

std::vector<std::pair<std::string, std::string>> allPairs(DeviceStore& store) {
    auto all = store.allSubscriptions();
    REQUIRE(all.ok());
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& r : *all) pairs.emplace_back(r.token, r.deviceId);
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

}  // namespace

TEST_CASE("a created device authenticates with its secret only", "[proxy][device_store]") {
    TempDir dir;
    auto store = openStore(dir.path() / "devices.sqlite");
    auto device = store->createDevice();
    REQUIRE(device.ok());
    CHECK(device->id.size() == 22);
    CHECK(device->secret.size() == 43);
    CHECK(store->authenticate(device->id, device->secret).ok());

    const auto wrong = store->authenticate(device->id, device->secret + "x");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == Errc::Forbidden);
    const auto empty = store->authenticate(device->id, "");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == Errc::Forbidden);

    const auto unknown = store->authenticate("no-such-device", device->secret);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == Errc::NotFound);

    // Two devices never share an id or a secret, and one's secret does not open the other.
    auto other = store->createDevice();
    REQUIRE(other.ok());
    CHECK(other->id != device->id);
    CHECK(other->secret != device->secret);
    const auto crossed = store->authenticate(other->id, device->secret);
    REQUIRE_FALSE(crossed.ok());
    CHECK(crossed.error().code == Errc::Forbidden);
}

TEST_CASE("a subscription belongs to one device and adding it again is idempotent", "[proxy][device_store]") {
    TempDir dir;
    auto store = openStore(dir.path() / "devices.sqlite");
    auto a = store->createDevice();
    auto b = store->createDevice();
    REQUIRE(a.ok());
    REQUIRE(b.ok());

    CHECK(store->addSubscription(a->id, "token-1").ok());
    CHECK(store->addSubscription(a->id, "token-1").ok());
    CHECK(store->subscriptionCount(a->id) == 1);

    const auto conflict = store->addSubscription(b->id, "token-1");
    REQUIRE_FALSE(conflict.ok());
    CHECK(conflict.error().code == Errc::Conflict);
    CHECK(store->subscriptionCount(b->id) == 0);
    CHECK(tokensOf(*store, a->id) == std::vector<std::string>{"token-1"});
}

TEST_CASE("removing a subscription works once, then it is NotFound", "[proxy][device_store]") {
    TempDir dir;
    auto store = openStore(dir.path() / "devices.sqlite");
    auto a = store->createDevice();
    auto b = store->createDevice();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(store->addSubscription(a->id, "token-1").ok());

    // Another device cannot remove it.
    const auto foreign = store->removeSubscription(b->id, "token-1");
    REQUIRE_FALSE(foreign.ok());
    CHECK(foreign.error().code == Errc::NotFound);
    CHECK(store->subscriptionCount(a->id) == 1);

    CHECK(store->removeSubscription(a->id, "token-1").ok());
    CHECK(store->subscriptionCount(a->id) == 0);
    const auto again = store->removeSubscription(a->id, "token-1");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::NotFound);

    // The token is free again, for any device.
    CHECK(store->addSubscription(b->id, "token-1").ok());
}

TEST_CASE("subscriptionsOf, allSubscriptions and subscriptionCount list what was added", "[proxy][device_store]") {
    TempDir dir;
    auto store = openStore(dir.path() / "devices.sqlite");
    auto a = store->createDevice();
    auto b = store->createDevice();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(tokensOf(*store, a->id).empty());
    CHECK(allPairs(*store).empty());
    CHECK(store->subscriptionCount(a->id) == 0);
    CHECK(store->subscriptionCount("unknown") == 0);

    for (const char* t : {"a-1", "a-2", "a-3"}) REQUIRE(store->addSubscription(a->id, t).ok());
    REQUIRE(store->addSubscription(b->id, "b-1").ok());

    CHECK(tokensOf(*store, a->id) == std::vector<std::string>{"a-1", "a-2", "a-3"});
    CHECK(tokensOf(*store, b->id) == std::vector<std::string>{"b-1"});
    CHECK(tokensOf(*store, "unknown").empty());
    CHECK(store->subscriptionCount(a->id) == 3);
    CHECK(store->subscriptionCount(b->id) == 1);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"a-1", a->id}, {"a-2", a->id}, {"a-3", a->id}, {"b-1", b->id}};
    CHECK(allPairs(*store) == expected);
}

TEST_CASE("deleteDevice returns its tokens and removes its subscriptions", "[proxy][device_store]") {
    TempDir dir;
    auto store = openStore(dir.path() / "devices.sqlite");
    auto a = store->createDevice();
    auto b = store->createDevice();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(store->addSubscription(a->id, "a-1").ok());
    REQUIRE(store->addSubscription(a->id, "a-2").ok());
    REQUIRE(store->addSubscription(b->id, "b-1").ok());

    const auto tokens = store->deleteDevice(a->id);
    REQUIRE(tokens.ok());
    CHECK(sorted(*tokens) == std::vector<std::string>{"a-1", "a-2"});

    CHECK(store->subscriptionCount(a->id) == 0);
    CHECK(tokensOf(*store, a->id).empty());
    const std::vector<std::pair<std::string, std::string>> expected{{"b-1", b->id}};
    CHECK(allPairs(*store) == expected);
    const auto gone = store->authenticate(a->id, a->secret);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == Errc::NotFound);
    CHECK(store->authenticate(b->id, b->secret).ok());

    const auto again = store->deleteDevice(a->id);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::NotFound);

    // The cascade freed the tokens: another device may take them now.
    CHECK(store->addSubscription(b->id, "a-1").ok());
}

TEST_CASE("devices and subscriptions survive closing and reopening the database file", "[proxy][device_store]") {
    TempDir dir;
    const auto file = dir.path() / "devices.sqlite";
    std::string idA, secretA, idB, secretB;
    {
        auto store = openStore(file);
        auto a = store->createDevice();
        auto b = store->createDevice();
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        idA = a->id;
        secretA = a->secret;
        idB = b->id;
        secretB = b->secret;
        REQUIRE(store->addSubscription(idA, "a-1").ok());
        REQUIRE(store->addSubscription(idA, "a-2").ok());
        REQUIRE(store->addSubscription(idB, "b-1").ok());
        REQUIRE(store->removeSubscription(idA, "a-2").ok());
    }
    REQUIRE(fs::exists(file));

    auto store = openStore(file);
    CHECK(store->authenticate(idA, secretA).ok());
    CHECK(store->authenticate(idB, secretB).ok());
    const auto wrong = store->authenticate(idA, secretB);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == Errc::Forbidden);
    CHECK(tokensOf(*store, idA) == std::vector<std::string>{"a-1"});
    CHECK(tokensOf(*store, idB) == std::vector<std::string>{"b-1"});
    const std::vector<std::pair<std::string, std::string>> expected{{"a-1", idA}, {"b-1", idB}};
    CHECK(allPairs(*store) == expected);
    // Ownership survives too.
    const auto conflict = store->addSubscription(idB, "a-1");
    REQUIRE_FALSE(conflict.ok());
    CHECK(conflict.error().code == Errc::Conflict);

    // The reopened store still cascades on delete (foreign keys are on for every connection).
    const auto tokens = store->deleteDevice(idA);
    REQUIRE(tokens.ok());
    CHECK(*tokens == std::vector<std::string>{"a-1"});
    const std::vector<std::pair<std::string, std::string>> remaining{{"b-1", idB}};
    CHECK(allPairs(*store) == remaining);
}

TEST_CASE("the proxy's inbox ids are made once and kept across reopening", "[proxy][device_store]") {
    TempDir dir;
    const auto file = dir.path() / "devices.sqlite";
    std::vector<dhtpush::crypto::Bytes> first;
    {
        auto store = openStore(file);
        auto ids = store->inboxes(4);
        REQUIRE(ids.ok());
        first = *ids;
        REQUIRE(first.size() == 4);
        for (const auto& id : first) CHECK(id.size() == dhtpush::crypto::INBOX_ID_BYTES);
        CHECK(first[0] != first[1]);
    }
    auto store = openStore(file);
    const auto same = store->inboxes(4);
    REQUIRE(same.ok());
    CHECK(*same == first);
    const auto fewer = store->inboxes(2);  // a smaller count: the first ones, unchanged
    REQUIRE(fewer.ok());
    CHECK(*fewer == std::vector<dhtpush::crypto::Bytes>(first.begin(), first.begin() + 2));
    const auto more = store->inboxes(6);  // a larger one keeps the old and adds new ids
    REQUIRE(more.ok());
    REQUIRE(more->size() == 6);
    CHECK(std::vector<dhtpush::crypto::Bytes>(more->begin(), more->begin() + 4) == first);
    CHECK(store->inboxes(0)->empty());
}

TEST_CASE("new inbox ids come from the given maker, kept ones do not", "[proxy][device_store]") {
    TempDir dir;
    auto store = openStore(dir.path() / "devices.sqlite");
    std::uint8_t next = 0;
    const auto maker = [&next] { return dhtpush::crypto::Bytes(dhtpush::crypto::INBOX_ID_BYTES, ++next); };
    const auto two = store->inboxes(2, maker);
    REQUIRE(two.ok());
    CHECK(*two == std::vector<dhtpush::crypto::Bytes>{dhtpush::crypto::Bytes(16, 1), dhtpush::crypto::Bytes(16, 2)});
    const auto three = store->inboxes(3, maker);  // one more made; the first two read back
    REQUIRE(three.ok());
    CHECK(next == 3);
    CHECK(three->back() == dhtpush::crypto::Bytes(16, 3));
}

TEST_CASE("only a hash of the device secret is stored on disk", "[proxy][device_store]") {
    TempDir dir;
    const auto file = dir.path() / "devices.sqlite";
    std::string secret;
    {
        auto store = openStore(file);
        auto device = store->createDevice();
        REQUIRE(device.ok());
        secret = device->secret;
    }
    // After close the WAL is checkpointed into the main file; look through every file left.
    bool found = false;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        found = found || content.find(secret) != std::string::npos;
    }
    CHECK_FALSE(found);
}

TEST_CASE("opening a database in a missing folder fails with Unavailable", "[proxy][device_store]") {
    TempDir dir;
    const auto store = DeviceStore::open((dir.path() / "missing" / "devices.sqlite").string());
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == Errc::Unavailable);
}
