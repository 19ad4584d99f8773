// Store-and-forward semantics of the proxy: resume with Last-Event-ID, acks, Topic
// replacement, quotas, and messages outliving their DHT values.
#include <set>
#include <thread>

#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/client/message_listener.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/node/device_api.h"
#include "dhtpush/node/json.h"
#include "proxy_fixture.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::string text(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

// One connection of the device: collects messages until the proxy has sent `count`, then closes.
struct Session {
    std::vector<node::DeliveredMessage> messages;
    std::string lastEventId;
};

Session receive(const client::ProxyAccount& account, std::size_t count, std::string lastEventId = {},
                node::Urgency minUrgency = node::Urgency::VeryLow) {
    Session session{{}, std::move(lastEventId)};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::thread reader([&] {
        client::streamMessages(account,
                               [&](const node::DeliveredMessage& m) {
                                   std::lock_guard<std::mutex> lock(mutex);
                                   if (session.messages.size() >= count) return false;
                                   session.messages.push_back(m);
                                   if (session.messages.size() >= count) stop = true;
                                   return true;
                               },
                               stop, &session.lastEventId, minUrgency);
    });
    waitUntil([&] { return stop.load(); });
    stop = true;
    reader.join();
    return session;
}

// A proxy on a small network, one device attached to it with one subscription.
struct OneSubscription {
    LocalDhtNetwork network{2};
    RunningProxy proxy;
    client::ProxyAccount account;
    std::string endpoint;

    explicit OneSubscription(const proxy::ProxyConfig& config = {}) : proxy(network, config) {
        auto attached = client::attachDevice(proxy.url());
        REQUIRE(attached.ok());
        account = *attached;
        auto sub = client::addSubscription(account, "");
        REQUIRE(sub.ok());
        endpoint = proxy.url() + "/wp/" + sub->token;
    }
};

client::PushOptions withUrgency(const char* urgency) {
    auto options = pushOptions(600);
    options.urgency = urgency;
    return options;
}

std::vector<std::string> texts(const Session& s) {
    std::vector<std::string> out;
    for (const auto& m : s.messages) out.push_back(text(m.envelope.body));
    return out;
}

}  // namespace

TEST_CASE("a reconnecting device resumes after Last-Event-ID, and acked messages are gone", "[integration][mailbox]") {
    LocalDhtNetwork network(5);
    TempDir data;
    proxy::ProxyConfig config;
    config.dataDir = data.path();
    RunningProxy proxy(network, config);
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    const auto endpoint = proxy.url() + "/wp/" + sub->token;
    for (const char* m : {"one", "two", "three"}) REQUIRE(client::sendPush(endpoint, m, pushOptions(600)).ok());

    auto first = receive(*account, 2);  // the device drops after two, acking nothing
    REQUIRE(texts(first) == std::vector<std::string>{"one", "two"});
    auto resumed = receive(*account, 1, first.lastEventId);
    CHECK(texts(resumed) == std::vector<std::string>{"three"});

    // Without Last-Event-ID everything unacked comes again, in order.
    auto fresh = receive(*account, 3);
    REQUIRE(texts(fresh) == std::vector<std::string>{"one", "two", "three"});
    std::vector<std::string> ids;
    for (const auto& m : fresh.messages) ids.push_back(m.envelope.idText());
    REQUIRE(client::acknowledge(*account, ids).ok());

    REQUIRE(client::sendPush(endpoint, "four", pushOptions(600)).ok());
    auto afterAck = receive(*account, 1);
    CHECK(texts(afterAck) == std::vector<std::string>{"four"});
}

TEST_CASE("a Topic replaces the undelivered message with the same Topic", "[integration][mailbox]") {
    LocalDhtNetwork network(5);
    TempDir data;
    proxy::ProxyConfig config;
    config.dataDir = data.path();
    RunningProxy proxy(network, config);
    RunningProxy sender(network);
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    REQUIRE(client::sendPush(proxy.url() + "/wp/" + sub->token, "score 1-0", pushOptions(600, "score")).ok());
    REQUIRE(client::sendPush(sender.url() + "/wp/" + sub->token, "score 2-0", pushOptions(600, "score")).ok());
    REQUIRE(client::sendPush(sender.url() + "/wp/" + sub->token, "other news", pushOptions(600, "news")).ok());
    REQUIRE(waitUntil([&] { return healthCounter(proxy.url(), "queued") >= 3; }));

    auto session = receive(*account, 2);
    CHECK(texts(session) == std::vector<std::string>{"score 2-0", "other news"});
    CHECK(session.messages[0].envelope.topic == "score");
}

TEST_CASE("a full mailbox answers the sender 507 and stores nothing more", "[integration][mailbox]") {
    LocalDhtNetwork network(5);
    TempDir data;
    proxy::ProxyConfig config;
    config.dataDir = data.path();
    config.subscriptionMessages = 3;
    config.subscriptionBytes = 4000;
    config.mailboxMessages = 4;
    RunningProxy proxy(network, config);
    auto account = client::attachDevice(proxy.url());
    REQUIRE(account.ok());
    auto first = client::addSubscription(*account, "");
    auto second = client::addSubscription(*account, "");
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    const auto endpoint1 = proxy.url() + "/wp/" + first->token, endpoint2 = proxy.url() + "/wp/" + second->token;

    SECTION("per-subscription message count") {
        for (int i = 0; i < 3; ++i) REQUIRE(client::sendPush(endpoint1, "m" + std::to_string(i), pushOptions(600)).ok());
        REQUIRE(waitUntil([&] { return healthCounter(proxy.url(), "queued") >= 3; }));
        auto refused = client::sendPush(endpoint1, "m3", pushOptions(600));
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == Errc::StorageFull);
        CHECK(refused.error().detail.find("507") != std::string::npos);
        // A Topic message that replaces a stored one still fits.
        CHECK(client::sendPush(endpoint2, "t1", pushOptions(600, "t")).ok());
    }
    SECTION("per-device message count across subscriptions") {
        for (int i = 0; i < 3; ++i) REQUIRE(client::sendPush(endpoint1, "a" + std::to_string(i), pushOptions(600)).ok());
        REQUIRE(client::sendPush(endpoint2, "b0", pushOptions(600)).ok());
        REQUIRE(waitUntil([&] { return healthCounter(proxy.url(), "queued") >= 4; }));
        auto refused = client::sendPush(endpoint2, "b1", pushOptions(600));
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == Errc::StorageFull);
    }
    SECTION("per-subscription bytes") {
        REQUIRE(client::sendPush(endpoint1, std::string(3000, 'x'), pushOptions(600)).ok());
        REQUIRE(waitUntil([&] { return healthCounter(proxy.url(), "queued") >= 1; }));
        auto refused = client::sendPush(endpoint1, std::string(1500, 'y'), pushOptions(600));
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == Errc::StorageFull);
    }
    auto session = receive(*account, 1);
    CHECK_FALSE(session.messages.empty());
}

// "201 means stored": another node answered the sender once a DHT node held the message. The
// device's proxy, its mailbox full because the device was away, holds the overflow in memory
// until the device acks, or, holding nothing, takes it from the DHT again once the device has
// collected.
TEST_CASE("messages through the DHT that found the mailbox full arrive once the device has collected",
          "[integration][mailbox]") {
    LocalDhtNetwork network(4);
    proxy::ProxyConfig config;
    config.mailboxMessages = 4;
    config.keepAlive = std::chrono::seconds(1);  // the hub's tick, which asks the DHT again
    // Held in memory until the device acks (the default), or nothing held: all asked again.
    config.heldBytes = GENERATE(std::size_t{0}, proxy::ProxyConfig{}.heldBytes);
    CAPTURE(config.heldBytes);
    RunningProxy proxyA(network, config);
    proxy::ProxyConfig sender;
    sender.rates.postsPerSubscription = 0;
    RunningProxy proxyB(network, sender);
    auto account = client::attachDevice(proxyA.url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    REQUIRE(waitUntil([&] { return healthField(proxyA.url(), "subscriptions_watched") == 1; }));

    const std::size_t SENT = 10;
    for (std::size_t i = 0; i < SENT; ++i)
        REQUIRE(client::sendPush(proxyB.url() + "/wp/" + sub->token, "m" + std::to_string(i), pushOptions(600)).ok());
    // Held in memory, or not at all (then only the refetch brings them).
    if (config.heldBytes > 0) {
        REQUIRE(waitUntil([&] { return healthCounter(proxyA.url(), "held") >= SENT - 4; }));
    } else {
        REQUIRE(waitUntil([&] { return healthCounter(proxyA.url(), "storage_full") >= SENT - 4; }));
        CHECK(healthCounter(proxyA.url(), "held") == 0);
    }

    // The device collects and acks, a mailbox's worth at a time, until it has every one. A
    // session ends once it has a mailbox's worth, or all, or after 5 s (a refetch comes at a
    // tick; then it acks what it has).
    std::set<std::string> got;
    std::string lastEventId;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (got.size() < SENT && std::chrono::steady_clock::now() < deadline) {
        std::vector<std::string> ids;
        std::atomic<bool> stop{false};
        std::atomic<std::size_t> received{0}, distinct{got.size()};
        std::thread reader([&] {
            client::streamMessages(*account,
                                   [&](const node::DeliveredMessage& m) {
                                       got.insert(text(m.envelope.body));
                                       ids.push_back(m.envelope.idText());
                                       distinct = got.size();
                                       ++received;
                                       return true;
                                   },
                                   stop, &lastEventId);
        });
        waitUntil([&] { return received >= config.mailboxMessages || distinct == SENT; }, std::chrono::seconds(5));
        stop = true;
        reader.join();
        if (!ids.empty()) REQUIRE(client::acknowledge(*account, ids).ok());
    }
    CHECK(got.size() == SENT);
}

// A device back to a full mailbox collects it, and what came meanwhile, in one go: its acks
// (more than one request takes) must all land, or its mailbox stays full for good.
TEST_CASE("a device acks more messages at once than one request takes", "[integration][mailbox]") {
    proxy::ProxyConfig config;
    config.mailboxMessages = config.subscriptionMessages = 1500;
    config.mailboxBytes = config.subscriptionBytes = 4u << 20;
    config.rates.postsPerSubscription = 0;
    OneSubscription f(config);
    const auto post = [&](const std::string& body) {
        auto posted = client::httpRequest(
            {"POST", f.endpoint, {"TTL: 600", "Content-Type: application/octet-stream"}, body});
        REQUIRE(posted.ok());
        REQUIRE(posted->status == 201);
    };
    const std::size_t HELD = node::MAX_ACK_IDS + 200;
    for (std::size_t i = 0; i < HELD; ++i) post("m" + std::to_string(i));
    auto backlog = receive(f.account, HELD);
    REQUIRE(backlog.messages.size() == HELD);
    std::vector<std::string> ids;
    for (const auto& m : backlog.messages) ids.push_back(m.envelope.idText());
    REQUIRE(client::acknowledge(f.account, ids).ok());
    REQUIRE(client::acknowledge(f.account, ids).ok());  // again, as a listener whose flush failed does

    // Nothing of the backlog comes again.
    post("after");
    CHECK(texts(receive(f.account, 1)) == std::vector<std::string>{"after"});
}

TEST_CASE("messages outlive their DHT values in the mailbox and expired ones are not delivered", "[integration][mailbox]") {
    // The DHT keeps values 8 s: a put is created on the whole second (up to 1 s back), and a
    // storing node refuses a value that expired on its way. Under the sanitizer on a loaded
    // machine the sender's first put (a search from scratch) took over 5 s: 2 s and 4 s lives
    // each failed once (503).
    const std::chrono::seconds dhtLife(8);
    LocalDhtNetwork network(5, dhtLife);
    proxy::ProxyConfig config;
    config.valueExpiration = dhtLife;
    TempDir data;
    config.dataDir = data.path();
    auto proxy = std::make_unique<RunningProxy>(network, config);
    proxy::ProxyConfig senderConfig;  // a data folder (and DHT identity) of its own
    senderConfig.valueExpiration = config.valueExpiration;
    senderConfig.maxPublishWait = std::chrono::seconds(30);  // the put's own answer decides, not the wait
    RunningProxy sender(network, senderConfig);
    auto account = client::attachDevice(proxy->url());
    REQUIRE(account.ok());
    auto sub = client::addSubscription(*account, "");
    REQUIRE(sub.ok());
    // The client waits as long as the sender node may: its answer, not the client's clock, decides.
    auto waitingFor = [](std::uint32_t ttl) {
        auto options = pushOptions(ttl);
        options.timeout = std::chrono::seconds(35);
        return options;
    };
    REQUIRE(client::sendPush(sender.url() + "/wp/" + sub->token, "lasting", waitingFor(600)).ok());
    REQUIRE(client::sendPush(sender.url() + "/wp/" + sub->token, "fleeting", waitingFor(2)).ok());
    REQUIRE(waitUntil([&] { return healthCounter(proxy->url(), "queued") >= 2; }));

    // Offline past the DHT value expiration (the storing nodes dropped both) and past the
    // short TTL; the proxy restarts meanwhile, so only its own disk can still hold them.
    proxy.reset();
    const auto later = std::chrono::steady_clock::now() + dhtLife + std::chrono::seconds(1);
    REQUIRE(waitUntil([&] { return std::chrono::steady_clock::now() >= later; }));
    proxy = std::make_unique<RunningProxy>(network, config);
    account->url = proxy->url();

    // Straight to the proxy: through the DHT the sentinel itself would only live 8 s.
    REQUIRE(client::sendPush(proxy->url() + "/wp/" + sub->token, "sentinel", pushOptions(600)).ok());
    auto session = receive(*account, 2);
    CHECK(texts(session) == std::vector<std::string>{"lasting", "sentinel"});
}

TEST_CASE("a stream with a minimum urgency leaves the lower messages in the mailbox for a stream that takes them",
          "[integration][mailbox]") {
    OneSubscription device;
    const auto& account = device.account;
    const auto& endpoint = device.endpoint;
    REQUIRE(client::sendPush(endpoint, "advert", withUrgency("very-low")).ok());
    REQUIRE(client::sendPush(endpoint, "chat", pushOptions(600)).ok());  // no header: normal

    // On battery: the stream carries normal and above, live messages as well as the backlog.
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<std::string> onBattery;
    std::thread reader([&] {
        client::streamMessages(account,
                               [&](const node::DeliveredMessage& m) {
                                   std::lock_guard<std::mutex> lock(mutex);
                                   onBattery.push_back(text(m.envelope.body));
                                   return true;
                               },
                               stop, nullptr, node::Urgency::Normal);
    });
    auto seen = [&] {
        std::lock_guard<std::mutex> lock(mutex);
        return onBattery;
    };
    REQUIRE(waitUntil([&] { return seen().size() == 1; }));
    REQUIRE(client::sendPush(endpoint, "topic update", withUrgency("low")).ok());
    REQUIRE(client::sendPush(endpoint, "call", withUrgency("high")).ok());
    // The hub sends in order: once "call" is there, "topic update" was passed over.
    CHECK(waitUntil([&] { return seen().size() == 2; }));
    stop = true;
    reader.join();
    CHECK(onBattery == std::vector<std::string>{"chat", "call"});

    // On power again: everything unacked, the held ones included, in order.
    auto onPower = receive(account, 4);
    CHECK(texts(onPower) == std::vector<std::string>{"advert", "chat", "topic update", "call"});

    auto refused = client::httpRequest({"GET", device.proxy.url() + "/v1/devices/" + account.deviceId + "/events?urgency=urgent",
                                        {"Authorization: Bearer " + account.secret}, {}});
    REQUIRE(refused.ok());
    CHECK(refused->status == 400);
    CHECK(refused->body.find("urgency must be") != std::string::npos);
}

// Regression: the stream reopened for a lower minimum resumed after the last message it had
// carried, past the held ones.
TEST_CASE("a device that lowers its minimum urgency while listening gets the held messages once",
          "[integration][mailbox]") {
    OneSubscription device;
    const auto& account = device.account;
    const auto& endpoint = device.endpoint;

    client::DeviceState state;
    state.proxies.push_back(account);
    client::MessageListener listener(state);
    listener.setMinUrgency(node::Urgency::High);
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<std::string> handed;
    auto handedNow = [&] {
        std::lock_guard<std::mutex> lock(mutex);
        return handed;
    };
    std::thread serving([&] {
        listener.serve(0, stop, [&](const node::DeliveredMessage& m) {
            std::lock_guard<std::mutex> lock(mutex);
            handed.push_back(text(m.envelope.body));
            return client::Disposition::Handed;
        });
    });
    REQUIRE(client::sendPush(endpoint, "chat", pushOptions(600)).ok());
    REQUIRE(client::sendPush(endpoint, "call", withUrgency("high")).ok());
    CHECK(waitUntil([&] { return handedNow().size() == 1; }));
    listener.setMinUrgency(node::Urgency::VeryLow);
    CHECK(waitUntil([&] { return handedNow().size() == 2; }));
    REQUIRE(client::sendPush(endpoint, "sentinel", pushOptions(600)).ok());
    CHECK(waitUntil([&] { return handedNow().size() == 3; }));
    stop = true;
    serving.join();
    CHECK(handed == std::vector<std::string>{"call", "chat", "sentinel"});
}
