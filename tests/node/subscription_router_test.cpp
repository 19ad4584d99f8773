// The router's keys, recipients, shared listens and pacing, over the in-memory PushNetwork
// (tests/support/fake_push_network.h): a unit test of one module. Over a real DHT the same
// paths run in tests/integration/inbox_test.cpp.
#include "dhtpush/node/subscription_router.h"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "await.h"
#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/random.h"
#include "fake_push_network.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using dhtpush::node::SubscriptionRouter;
using dhtpush::test::waitUntil;

namespace {

struct Fixture {
    test::FakePushNetwork network;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    SubscriptionRouter::Strand strand{asio::make_strand(io)};
    std::mutex mutex;
    std::vector<std::string> heard;  // "token body"
    std::shared_ptr<SubscriptionRouter> router;
    std::thread thread{[this] { io.run(); }};

    explicit Fixture(node::RouterLimits limits = {}) {
        router = std::make_shared<SubscriptionRouter>(strand, network, limits,
                                                      [this](const std::string& token, const node::Envelope& e) {
                                                          std::lock_guard<std::mutex> lock(mutex);
                                                          heard.push_back(token + " " +
                                                                          std::string(e.body.begin(), e.body.end()));
                                                      });
    }
    ~Fixture() {
        router->stop();
        onStrand([] {});
        work.reset();
        thread.join();
    }
    // Runs `f` on the router's strand and waits for it.
    template <class F>
    void onStrand(F f) {
        std::promise<void> done;
        asio::post(strand, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
    std::vector<std::string> heardNow() {
        std::lock_guard<std::mutex> lock(mutex);
        return heard;
    }
};

node::Envelope envelope(const std::string& body) {
    return node::Envelope::create(600, node::Urgency::Normal, "", "", crypto::toBytes(body));
}

crypto::SubscriptionToken inInbox(const crypto::Bytes& inbox) { return *crypto::SubscriptionToken::generateInInbox(inbox); }

}  // namespace

TEST_CASE("router: an inbox's tokens share its listens, which go with the last of them", "[node][router]") {
    Fixture f;
    const auto inbox = crypto::randomBytes(crypto::INBOX_ID_BYTES);
    const auto a = inInbox(inbox), b = inInbox(inbox);
    f.onStrand([&] {
        CHECK(f.router->watch(a.text()));
        CHECK(f.router->watch(b.text()));
        CHECK(f.router->watch(b.text()));  // idempotent
        CHECK_FALSE(f.router->watch("not a token"));
    });
    CHECK(f.router->watchCount() == 2);
    CHECK(f.router->listenCount() == crypto::INBOX_LANES);
    CHECK(waitUntil([&] { return f.network.watchCount(a.dhtKey()) == 1; }));
    f.onStrand([&] { f.router->unwatch(a.text()); });
    CHECK(f.network.watchCount(a.dhtKey()) == 1);  // b still needs it
    f.onStrand([&] { f.router->unwatch(b.text()); });
    CHECK(f.network.watchCount(a.dhtKey()) == 0);
    CHECK(f.router->listenCount() == 0);
}

TEST_CASE("router: a value reaches the token it names, and no other", "[node][router][security]") {
    Fixture f;
    const auto inbox = crypto::randomBytes(crypto::INBOX_ID_BYTES), other = crypto::randomBytes(crypto::INBOX_ID_BYTES);
    const auto a = inInbox(inbox), b = inInbox(inbox), elsewhere = inInbox(other);
    const auto own = crypto::SubscriptionToken::generate();
    f.onStrand([&] {
        for (const auto& t : {a, b, elsewhere, own}) f.router->watch(t.text());
    });
    REQUIRE(waitUntil([&] {
        return f.network.watchCount(a.dhtKey()) == 1 && f.network.watchCount(elsewhere.dhtKey()) == 1 &&
               f.network.watchCount(own.dhtKey()) == 1;
    }));
    f.network.storeFromPeer(a.dhtKey(), a.recipient(), envelope("for a"));
    f.network.storeFromPeer(own.dhtKey(), {}, envelope("for own"));
    // Another proxy's recipient in a shared inbox, and a's recipient put at another inbox's key.
    f.network.storeFromPeer(a.dhtKey(), crypto::randomBytes(a.recipient().size()), envelope("for a stranger"));
    f.network.storeFromPeer(elsewhere.dhtKey(), a.recipient(), envelope("misplaced"));
    f.network.storeFromPeer(a.dhtKey(), {}, envelope("no recipient in an inbox"));
    f.onStrand([] {});  // what the DHT handed over has run
    CHECK(f.heardNow() == std::vector<std::string>{a.text() + " for a", own.text() + " for own"});
}

TEST_CASE("router: listens start at a paced rate", "[node][router]") {
    Fixture f(node::RouterLimits{40, 16384});  // one listen per 25 ms step
    std::vector<crypto::SubscriptionToken> tokens;
    for (int i = 0; i < 5; ++i) tokens.push_back(crypto::SubscriptionToken::generate());
    f.onStrand([&] {
        for (const auto& t : tokens) f.router->watch(t.text());
    });
    // The pacing timer's steps come after this: one listen so far.
    std::size_t started = 0;
    for (const auto& t : tokens) started += f.network.watchCount(t.dhtKey());
    CHECK(started == 1);
    CHECK(waitUntil([&] {
        std::size_t n = 0;
        for (const auto& t : tokens) n += f.network.watchCount(t.dhtKey());
        return n == tokens.size();
    }));
}

TEST_CASE("router: after stop every listen is cancelled and no value reaches the callback", "[node][router]") {
    Fixture f;
    const auto own = crypto::SubscriptionToken::generate();
    f.onStrand([&] { f.router->watch(own.text()); });
    REQUIRE(waitUntil([&] { return f.network.watchCount(own.dhtKey()) == 1; }));
    f.router->stop();
    f.onStrand([] {});
    CHECK(f.network.watchCount(own.dhtKey()) == 0);
    CHECK(f.network.storeFromPeer(own.dhtKey(), {}, envelope("late")) == 0);
    CHECK(f.router->watchCount() == 0);
    CHECK(f.heardNow().empty());
}
