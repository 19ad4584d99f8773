// The delivery hub without sockets: a fake PushNetwork plays the DHT (tests/support/
// fake_push_network.h), the mailbox is a real SQLite file, and what the hub decided is read
// from the mailbox and its counters. The same paths over a real DHT and HTTP are in
// tests/integration/.
#include "delivery_hub.h"

#include <asio/executor_work_guard.hpp>

#include <algorithm>
#include <functional>
#include <future>
#include <thread>

#include <sqlite3.h>

#include "await.h"
#include "device_store.h"
#include "dhtpush/crypto/vapid.h"
#include "event_stream.h"
#include "fake_push_network.h"
#include "sqlite_db.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::proxy;
using dhtpush::test::waitUntil;

namespace {

std::int64_t nowMillis() { return static_cast<std::int64_t>(node::nowMs()); }

node::Envelope envelope(const std::string& body, std::uint32_t ttl = 600, std::string topic = {}) {
    return node::Envelope::create(ttl, node::Urgency::Normal, std::move(topic), "", crypto::toBytes(body));
}

// One proxy: its database, mailbox and hub on an io_context of its own thread, on a network
// shared with other proxies of the test; one device with one version-1 subscription.
struct Proxy {
    test::TempDir dir;  // first: removed after the database is closed
    std::unique_ptr<DeviceStore> store;
    std::unique_ptr<Mailbox> mailbox;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
    std::shared_ptr<DeliveryHub> hub;
    test::FakePushNetwork& network;
    std::string device;
    std::string token;
    crypto::DhtKey key{};
    MailboxLimits mailboxLimits;  // what startHub() gives the mailbox and the hub
    HubLimits hubLimits;

    explicit Proxy(test::FakePushNetwork& net, std::string subscription = crypto::SubscriptionToken::generate().text(),
                   std::string vapidKey = {})
        : network(net), token(std::move(subscription)) {
        store = std::move(DeviceStore::open((dir.path() / "proxy.sqlite").string()).value());
        device = store->createDevice()->id;
        REQUIRE(store->addSubscription(device, token, vapidKey).ok());
        key = crypto::SubscriptionToken::parse(token)->dhtKey();
        thread = std::thread([this] { io.run(); });
        startHub(vapidKey);
    }
    ~Proxy() {
        stopHub();
        work.reset();
        thread.join();
    }
    void startHub(const std::string& vapidKey = {}) {
        mailbox = std::make_unique<Mailbox>(store->database(), mailboxLimits);
        hub = std::make_shared<DeliveryHub>(asio::make_strand(io), network, *mailbox, hubLimits);
        hub->start();
        const auto before = network.watchCount(key);
        hub->watch(token, device, vapidKey);
        REQUIRE(waitUntil([&] { return network.watchCount(key) == before + 1; }));
    }
    // The hub stopped and started again on limits `set` changes.
    void restartHub(const std::function<void(MailboxLimits&, HubLimits&)>& set) {
        stopHub();
        set(mailboxLimits, hubLimits);
        startHub();
    }
    void stopHub() {
        if (!hub) return;
        hub->stop();
        // Its strand has run stop() (which cancels its listen) once nothing else holds it:
        // only then may its mailbox go.
        REQUIRE(waitUntil([&] { return hub.use_count() == 1; }));
        hub.reset();
    }
    // What a POST to this proxy for its own subscription got.
    LocalOutcome post(const node::Envelope& e) {
        auto outcome = std::make_shared<std::promise<LocalOutcome>>();
        auto answered = outcome->get_future();
        hub->deliver(token, e, [outcome](LocalOutcome o) { outcome->set_value(o); });
        REQUIRE(answered.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return answered.get();
    }
    // A value a DHT peer stored at the subscription's key.
    void fromPeer(const node::Envelope& e) { REQUIRE(network.storeFromPeer(key, {}, e) >= 1); }
    std::vector<std::string> held() {
        std::vector<std::string> bodies;
        const auto pending = mailbox->pending(device, 0, nowMillis());
        REQUIRE(pending.ok());
        for (const auto& m : *pending)
            bodies.emplace_back(m.message.envelope.body.begin(), m.message.envelope.body.end());
        return bodies;
    }
    const HubCounters& counters() const { return hub->counters(); }
};

}  // namespace

TEST_CASE("hub: a message POSTed to the device's proxy is stored once, and its DHT copy is a duplicate",
          "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    const auto message = envelope("hello");
    CHECK(proxy.post(message) == LocalOutcome::Stored);
    CHECK(proxy.held() == std::vector<std::string>{"hello"});
    proxy.fromPeer(message);  // the DHT's echo of the put
    CHECK(waitUntil([&] { return proxy.counters().duplicates == 1; }));
    CHECK(proxy.post(message) == LocalOutcome::AlreadyHeld);
    CHECK(proxy.held() == std::vector<std::string>{"hello"});
}

TEST_CASE("hub: a TTL-0 message is for a device connected now, never stored", "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    CHECK(proxy.post(envelope("now or never", 0)) == LocalOutcome::Streamed);
    CHECK(proxy.counters().dropped == 1);  // no stream open
    CHECK(proxy.held().empty());
}

TEST_CASE("hub: a DHT copy without the bound key's proof is refused, and does not shadow the real one",
          "[proxy][hub][security]") {
    test::FakePushNetwork network;
    const auto appServer = crypto::generateVapidKeys();
    REQUIRE(appServer);
    Proxy proxy(network, crypto::SubscriptionToken::generate().text(), appServer->publicKey);
    const auto real = envelope("real");
    auto forged = real;  // the same id, a peer's text, no VAPID proof
    forged.body = crypto::toBytes("forged");
    proxy.fromPeer(forged);
    CHECK(waitUntil([&] { return proxy.counters().rejected == 1; }));
    // The POST path checked the sender's VAPID itself (webpush_routes): the hub takes it.
    CHECK(proxy.post(real) == LocalOutcome::Stored);
    CHECK(proxy.held() == std::vector<std::string>{"real"});
}

TEST_CASE("hub: DHT copies with a creation time ahead of our clock, or expired, are dropped", "[proxy][hub][security]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    auto future = envelope("from the future");
    future.createdMs = node::nowMs() + 3600 * 1000;  // past the 60 s of clock skew allowed
    proxy.fromPeer(future);
    CHECK(waitUntil([&] { return proxy.counters().rejected == 1; }));
    auto old = envelope("old", 60);
    old.createdMs = node::nowMs() - 120 * 1000;
    proxy.fromPeer(old);
    CHECK(waitUntil([&] { return proxy.counters().expired == 1; }));
    CHECK(proxy.held().empty());
}

TEST_CASE("hub: a newer message with the same Topic replaces the older, in whatever order they arrive",
          "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    auto older = envelope("score 1-0", 600, "match");
    auto newer = envelope("score 2-0", 600, "match");
    older.createdMs = node::nowMs() - 2000;
    newer.createdMs = node::nowMs() - 1000;
    proxy.fromPeer(newer);
    proxy.fromPeer(older);  // a late copy of the older one
    CHECK(waitUntil([&] { return proxy.counters().queued + proxy.counters().duplicates == 2; }));
    CHECK(proxy.held() == std::vector<std::string>{"score 2-0"});
}

TEST_CASE("hub: after unwatch the key's listen is cancelled and its values are ignored", "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    proxy.hub->unwatch(proxy.token);
    CHECK(waitUntil([&] { return network.watchCount(proxy.key) == 0; }));
    CHECK(network.storeFromPeer(proxy.key, {}, envelope("late")) == 0);
    CHECK(proxy.hub->watchCount() == 0);
}

TEST_CASE("hub: a restarted hub does not store again a message the device acked", "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    const auto message = envelope("acked before the restart");
    CHECK(proxy.post(message) == LocalOutcome::Stored);
    REQUIRE(proxy.mailbox->ack(proxy.device, {message.idText()}).value() == 1);
    proxy.stopHub();
    proxy.startHub();  // a new hub over the same database: its memory of ids is empty
    proxy.fromPeer(message);
    CHECK(waitUntil([&] { return proxy.counters().duplicates == 1; }));
    CHECK(proxy.held().empty());
}

TEST_CASE("hub: two proxies watching one version-1 token each store its message once", "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy first(network);
    Proxy second(network, first.token);  // the same token, another device on another proxy
    const auto message = envelope("to both");
    first.fromPeer(message);
    CHECK(waitUntil([&] { return first.counters().queued == 1 && second.counters().queued == 1; }));
    CHECK(first.held() == std::vector<std::string>{"to both"});
    CHECK(second.held() == std::vector<std::string>{"to both"});
}

TEST_CASE("hub: what a full mailbox refused from the DHT is taken again once the device has collected",
          "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    proxy.restartHub([](MailboxLimits& m, HubLimits& h) {
        m.deviceMessages = 2;
        h.keepAlive = std::chrono::seconds(1);  // the tick, which refetches
        h.held.bytes = 0;                       // nothing held in memory: all refetched
    });
    std::vector<node::Envelope> sent;
    for (int i = 0; i < 4; ++i) {
        sent.push_back(envelope("m" + std::to_string(i)));
        proxy.fromPeer(sent.back());
    }
    CHECK(waitUntil([&] { return proxy.counters().storageFull == 2; }));
    CHECK(proxy.held() == std::vector<std::string>{"m0", "m1"});
    // Half full or more: nothing is asked again yet.
    CHECK_FALSE(waitUntil([&] { return network.refetches() > 0; }, std::chrono::milliseconds(2500)));
    // The device collects what was kept; the DHT still holds the other two.
    REQUIRE(proxy.mailbox->ack(proxy.device, {sent[0].idText(), sent[1].idText()}).value() == 2);
    CHECK(waitUntil([&] { return proxy.held() == std::vector<std::string>{"m2", "m3"}; }));
    CHECK(network.refetches() == 1);
}

namespace {
// A proxy whose device has a second subscription (`otherKey`), on limits `set` changes, and
// whose hub ticks, and so may refetch, every second; it holds nothing in memory, so what a
// full mailbox refused from the DHT is refetched.
struct TwoSubscriptions {
    test::FakePushNetwork network;
    Proxy proxy{network};
    crypto::DhtKey otherKey{};

    explicit TwoSubscriptions(const std::function<void(MailboxLimits&, HubLimits&)>& set) {
        proxy.restartHub([&](MailboxLimits& m, HubLimits& h) {
            h.keepAlive = std::chrono::seconds(1);
            h.held.bytes = 0;
            set(m, h);
        });
        const auto token = crypto::SubscriptionToken::generate().text();
        REQUIRE(proxy.store->addSubscription(proxy.device, token, "").ok());
        otherKey = crypto::SubscriptionToken::parse(token)->dhtKey();
        proxy.hub->watch(token, proxy.device, "");
        REQUIRE(waitUntil([&] { return network.watchCount(otherKey) == 1; }));
    }
};
}  // namespace

TEST_CASE("hub: what a full mailbox refused from the DHT is held and written as soon as the device acks",
          "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    proxy.restartHub([](MailboxLimits& m, HubLimits&) { m.deviceMessages = 2; });  // no tick for 15 s
    std::vector<node::Envelope> sent;
    const auto send = [&](int i) {
        sent.push_back(envelope("m" + std::to_string(i)));
        proxy.fromPeer(sent.back());
    };
    for (int i = 0; i < 5; ++i) send(i);
    CHECK(waitUntil([&] { return proxy.hub->heldMessages() == 3; }));
    CHECK(proxy.held() == std::vector<std::string>{"m0", "m1"});
    CHECK(proxy.counters().held == 3);
    // Room made without the hub told yet: a newer message from the DHT still goes behind the
    // held ones, not into the room.
    REQUIRE(proxy.mailbox->ack(proxy.device, {sent[0].idText(), sent[1].idText()}).value() == 2);
    send(5);
    CHECK(waitUntil([&] { return proxy.hub->heldMessages() == 4; }));
    CHECK(proxy.held().empty());
    // The hub hears of the acks: what is held fills the room they made, in order, at once.
    proxy.hub->collected(proxy.device, {sent[0].idText(), sent[1].idText()}, 2);
    CHECK(waitUntil([&] {
        return proxy.held() == std::vector<std::string>{"m2", "m3"} && proxy.hub->heldMessages() == 2;
    }, std::chrono::seconds(3)));
    // An ack of nothing stored makes no room: nothing moves.
    proxy.hub->collected(proxy.device, {"not held"}, 0);
    REQUIRE(proxy.mailbox->ack(proxy.device, {sent[2].idText()}).value() == 1);
    proxy.hub->collected(proxy.device, {sent[2].idText()}, 1);
    CHECK(waitUntil([&] {
        return proxy.held() == std::vector<std::string>{"m3", "m4"} && proxy.hub->heldMessages() == 1;
    }, std::chrono::seconds(3)));
    REQUIRE(proxy.mailbox->ack(proxy.device, {sent[3].idText(), sent[4].idText()}).value() == 2);
    proxy.hub->collected(proxy.device, {sent[3].idText(), sent[4].idText()}, 2);
    CHECK(waitUntil([&] {
        return proxy.held() == std::vector<std::string>{"m5"} && proxy.hub->heldMessages() == 0;
    }, std::chrono::seconds(3)));
    CHECK(network.refetches() == 0);
}

namespace {
// A proxy whose mailbox takes 2 messages, sent m0 and m1 (stored) and then h0..h299 from the
// DHT (held behind them): more than one release skips of what the device already acked.
struct HeldBehindFullMailbox {
    test::FakePushNetwork network;
    Proxy proxy{network};
    std::vector<node::Envelope> stored, held;

    HeldBehindFullMailbox() {
        proxy.restartHub([](MailboxLimits& m, HubLimits&) { m.deviceMessages = 2; });  // no tick for 15 s
        for (int i = 0; i < 2; ++i) stored.push_back(envelope("m" + std::to_string(i)));
        for (int i = 0; i < 300; ++i) held.push_back(envelope("h" + std::to_string(i)));
        for (const auto& e : stored) proxy.fromPeer(e);
        for (const auto& e : held) proxy.fromPeer(e);
        REQUIRE(waitUntil([&] { return proxy.hub->heldMessages() == held.size(); }));
    }
    // The ids of m0, m1 and h1..h299: what a device acks that had the held ones on its stream.
    std::vector<std::string> ackedLive() const {
        std::vector<std::string> ids{stored[0].idText(), stored[1].idText()};
        for (std::size_t i = 1; i < held.size(); ++i) ids.push_back(held[i].idText());
        return ids;
    }
};
}  // namespace

// The 1,000/s soak with a device away: its mailbox emptied while messages were held, and what
// it acked of them freed no stored row, so the rest waited for the tick, a page each 15 s.
TEST_CASE("hub: held messages the device acks are dropped and the ack's room goes to the ones before them",
          "[proxy][hub]") {
    HeldBehindFullMailbox f;
    const auto ids = f.ackedLive();
    REQUIRE(f.proxy.mailbox->ack(f.proxy.device, ids).value() == 2);
    f.proxy.hub->collected(f.proxy.device, ids, 2);
    CHECK(waitUntil([&] {
        return f.proxy.held() == std::vector<std::string>{"h0"} && f.proxy.hub->heldMessages() == 0;
    }, std::chrono::seconds(3)));
}

namespace {
// An event stream whose client reads nothing while the test runs: it stalls, as a real
// connection does, once StreamConnection::MAX_WRITES_QUEUED writes wait; it keeps the text.
class UnreadStream : public StreamConnection {
public:
    bool sendChunk(std::string text) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!alive_ || ++writes_ >= MAX_WRITES_QUEUED) return alive_ = false;
        text_ += text;
        return true;
    }
    void close() override { alive_ = false; }
    bool alive() const override { return alive_; }
    // How many events it took.
    std::size_t events() const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::size_t count = 0;
        for (auto at = text_.find(EVENT); at != std::string::npos; at = text_.find(EVENT, at + 1)) ++count;
        return count;
    }

private:
    static constexpr const char* EVENT = "event: message\n";
    mutable std::mutex mutex_;
    std::atomic<bool> alive_{true};
    std::size_t writes_{0};
    std::string text_;
};
}  // namespace

TEST_CASE("hub: a release of a whole mailbox's room keeps a connected device's stream open", "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    constexpr int ROOM = 300;  // more than a stream's writes waiting
    proxy.restartHub([](MailboxLimits& m, HubLimits&) { m.deviceMessages = m.subscriptionMessages = ROOM; });
    std::vector<node::Envelope> stored;
    for (int i = 0; i < 2 * ROOM; ++i) {
        const auto e = envelope("m" + std::to_string(i));
        if (i < ROOM) stored.push_back(e);
        proxy.fromPeer(e);
    }
    REQUIRE(waitUntil([&] { return proxy.hub->heldMessages() == ROOM; }));
    auto connection = std::make_shared<UnreadStream>();
    proxy.hub->attach(std::make_shared<EventStream>(proxy.device, 1, connection), 0);
    REQUIRE(waitUntil([&] { return connection->events() == ROOM; }));  // the backlog, in pages
    std::vector<std::string> ids;
    for (const auto& e : stored) ids.push_back(e.idText());
    REQUIRE(proxy.mailbox->ack(proxy.device, ids).value() == ROOM);
    proxy.hub->collected(proxy.device, ids, ROOM);
    CHECK(waitUntil([&] { return proxy.hub->heldMessages() == 0; }));
    CHECK(connection->alive());
    CHECK(connection->events() == 2 * ROOM);
}

TEST_CASE("hub: held messages acked where the hub did not hear of it use none of an ack's room", "[proxy][hub]") {
    HeldBehindFullMailbox f;
    // Acked at another proxy of the device, say: the mailbox knows the ids, the hub does not.
    REQUIRE(f.proxy.mailbox->ack(f.proxy.device, f.ackedLive()).value() == 2);
    f.proxy.hub->collected(f.proxy.device, {f.stored[0].idText(), f.stored[1].idText()}, 2);
    // h0 takes one of the room of two; the 299 others are skipped over more than one handler,
    // and the room left is for the next held message, if any.
    CHECK(waitUntil([&] {
        return f.proxy.held() == std::vector<std::string>{"h0"} && f.proxy.hub->heldMessages() == 0;
    }, std::chrono::seconds(3)));
    CHECK(f.proxy.counters().duplicates >= 299);
}

// A refetch pass hands whole inboxes over again; at 1,000 messages/s the ids in memory no
// longer cover them, and what the mailbox or the hold already had was held again: the 1,000/s
// soak with a device away filled the device's share of the hold so, and lost messages.
TEST_CASE("hub: a message from the DHT the mailbox or the hold already has is not held again", "[proxy][hub]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    proxy.restartHub([](MailboxLimits& m, HubLimits& h) {
        m.deviceMessages = 2;
        h.maxSeenIds = 1;  // ids in memory forget at once, as they do under load
    });
    std::vector<node::Envelope> sent;
    for (int i = 0; i < 4; ++i) {
        sent.push_back(envelope("m" + std::to_string(i)));
        proxy.fromPeer(sent.back());
    }
    REQUIRE(waitUntil([&] { return proxy.hub->heldMessages() == 2; }));
    REQUIRE(proxy.mailbox->ack(proxy.device, {sent[0].idText()}).value() == 1);  // the hub not told
    const std::size_t duplicates = proxy.counters().duplicates;
    for (const auto& e : sent) proxy.fromPeer(e);  // acked, stored, held, held
    CHECK(waitUntil([&] { return proxy.counters().duplicates == duplicates + 4; }));
    CHECK(proxy.hub->heldMessages() == 2);
    CHECK(proxy.held() == std::vector<std::string>{"m1"});
}

TEST_CASE("hub: a refetch asks again only for the subscriptions whose messages were refused", "[proxy][hub]") {
    TwoSubscriptions f([](MailboxLimits& m, HubLimits&) { m.subscriptionMessages = 2; });
    std::vector<node::Envelope> sent;
    for (int i = 0; i < 4; ++i) {
        sent.push_back(envelope("m" + std::to_string(i)));
        f.proxy.fromPeer(sent.back());
    }
    REQUIRE(f.network.storeFromPeer(f.otherKey, {}, envelope("q0")) == 1);
    CHECK(waitUntil([&] { return f.proxy.counters().storageFull == 2 && f.proxy.held().size() == 3; }));
    REQUIRE(f.proxy.mailbox->ack(f.proxy.device, {sent[0].idText(), sent[1].idText()}).value() == 2);
    CHECK(waitUntil([&] { return f.proxy.held().size() == 3; }));
    // The other subscription refused nothing: its key is not asked again.
    CHECK(f.network.refetches() == 1);
    CHECK(f.proxy.held() == std::vector<std::string>{"q0", "m2", "m3"});
}

TEST_CASE("hub: a refetch pass takes at most its keys and leaves the rest to the next pass", "[proxy][hub]") {
    TwoSubscriptions f([](MailboxLimits& m, HubLimits& h) {
        m.subscriptionMessages = 1;
        h.maxRefetchKeys = 1;
    });
    const std::vector<node::Envelope> first{envelope("a0"), envelope("a1")}, second{envelope("b0"), envelope("b1")};
    for (const auto& e : first) f.proxy.fromPeer(e);
    for (const auto& e : second) REQUIRE(f.network.storeFromPeer(f.otherKey, {}, e) == 1);
    CHECK(waitUntil([&] { return f.proxy.counters().storageFull == 2; }));
    REQUIRE(f.proxy.mailbox->ack(f.proxy.device, {first[0].idText(), second[0].idText()}).value() == 2);
    // One key this pass, though one device waits on both.
    REQUIRE(waitUntil([&] { return f.proxy.held().size() == 1; }));
    CHECK(f.network.refetches() == 1);
    // The next pass (4 keep-alives later) takes the other.
    CHECK(waitUntil([&] { return f.proxy.held().size() == 2; }, std::chrono::seconds(10)));
    CHECK(f.network.refetches() == 2);
}

TEST_CASE("hub: what a full disk refused from the DHT is taken again once there is room", "[proxy][hub][storage]") {
    test::FakePushNetwork network;
    Proxy proxy(network);
    proxy.restartHub([](MailboxLimits&, HubLimits& h) { h.keepAlive = std::chrono::seconds(1); });
    // The database may not grow past its pages in use: a disk that is full.
    const auto db = proxy.store->database();
    const auto pages = [&] {
        Statement count(*db, "PRAGMA page_count");
        REQUIRE(count.step() == SQLITE_ROW);
        return count.integer(0);
    }();
    REQUIRE(db->exec(("PRAGMA max_page_count = " + std::to_string(pages)).c_str()).ok());
    std::vector<std::string> bodies;
    for (int i = 0; i < 20; ++i) {
        bodies.push_back(std::string(3000, static_cast<char>('a' + i)));
        proxy.fromPeer(envelope(bodies.back()));
    }
    CHECK(waitUntil([&] { return proxy.counters().queued + proxy.counters().dropped == 20; }));
    REQUIRE(proxy.held().size() < 20);
    REQUIRE(db->exec("PRAGMA max_page_count = 1073741823").ok());  // room again
    CHECK(waitUntil([&] { return proxy.held().size() == 20; }, std::chrono::seconds(10)));
    auto held = proxy.held();
    std::sort(held.begin(), held.end());
    CHECK(held == bodies);
}
