// The dispatch's ordering and bounds, with a stand-in for the D-Bus call (the real calls are
// in tests/integration/distributor_test.sh).
#include "message_dispatch.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "await.h"

using namespace dhtpush::device;
using dhtpush::test::waitUntil;

namespace {

Registration app(const std::string& token) {
    Registration r;
    r.pushToken = token;
    r.service = "org.example." + token;
    return r;
}

IncomingMessage message(const std::string& token, const std::string& id) { return IncomingMessage{token, id, {}}; }

// Calls that hold app "slow" until released, and record the order of calls and outcomes.
struct Apps {
    std::mutex mutex;
    std::condition_variable changed;
    bool released = false;
    std::vector<std::string> called, done;

    bool call(const IncomingMessage& m) {
        std::unique_lock<std::mutex> lock(mutex);
        called.push_back(m.id);
        changed.notify_all();
        if (m.pushToken == "slow") changed.wait(lock, [&] { return released; });
        return m.id != "refused";
    }
    bool finish(const IncomingMessage& m, bool taken) {
        std::lock_guard<std::mutex> lock(mutex);
        done.push_back(m.id + (taken ? "" : " (not taken)"));
        return !taken && retries-- > 0;  // hand it again, as after a Register that came meanwhile
    }
    int retries = 0;
    void release() {
        std::lock_guard<std::mutex> lock(mutex);
        released = true;
        changed.notify_all();
    }
    std::vector<std::string> doneNow() {
        std::lock_guard<std::mutex> lock(mutex);
        return done;
    }
    std::vector<std::string> calledNow() {
        std::lock_guard<std::mutex> lock(mutex);
        return called;
    }
};

// Declared after the dispatch: releases the slow app before the dispatch waits for its lanes.
struct ReleaseOnExit {
    Apps& apps;
    ~ReleaseOnExit() { apps.release(); }
};

}  // namespace

TEST_CASE("a slow app holds back its own messages only, and each app's come in order", "[device]") {
    Apps apps;
    MessageDispatch dispatch(
        DispatchLimits{2, 100, 10}, [&](std::size_t, const Registration&, const IncomingMessage& m) { return apps.call(m); },
        [&](const Registration&, const IncomingMessage& m, bool taken) { return apps.finish(m, taken); });
    ReleaseOnExit guard{apps};
    REQUIRE(dispatch.enqueue(app("slow"), message("slow", "s1")));
    REQUIRE(waitUntil([&] { return apps.calledNow().size() == 1; }));
    REQUIRE(dispatch.enqueue(app("slow"), message("slow", "s2")));
    REQUIRE(dispatch.enqueue(app("fast"), message("fast", "f1")));
    REQUIRE(dispatch.enqueue(app("fast"), message("fast", "f2")));
    // Both of the fast app's, while the slow app still holds its first.
    CHECK(waitUntil([&] { return apps.doneNow().size() == 2; }));
    CHECK(apps.doneNow() == std::vector<std::string>{"f1", "f2"});
    CHECK(apps.calledNow() == std::vector<std::string>{"s1", "f1", "f2"});  // s2 waits for s1
    CHECK(dispatch.holds("s2"));
    CHECK(dispatch.queuedFor("slow") == 1);
    apps.release();
    CHECK(waitUntil([&] { return apps.doneNow().size() == 4; }));
    CHECK(apps.doneNow() == std::vector<std::string>{"f1", "f2", "s1", "s2"});
    CHECK_FALSE(dispatch.holds("s2"));
}

TEST_CASE("the dispatch refuses past its bounds and a message it already holds", "[device]") {
    Apps apps;
    MessageDispatch dispatch(
        DispatchLimits{1, 5, 3}, [&](std::size_t, const Registration&, const IncomingMessage& m) { return apps.call(m); },
        [&](const Registration&, const IncomingMessage& m, bool taken) { return apps.finish(m, taken); });
    ReleaseOnExit guard{apps};  // a failed REQUIRE must not leave the lane held
    REQUIRE(dispatch.enqueue(app("slow"), message("slow", "s1")));  // holds the only lane
    REQUIRE(waitUntil([&] { return apps.calledNow().size() == 1; }));
    CHECK_FALSE(dispatch.enqueue(app("slow"), message("slow", "s1")));  // held: in flight
    for (const char* id : {"s2", "s3", "s4"}) CHECK(dispatch.enqueue(app("slow"), message("slow", id)));
    CHECK_FALSE(dispatch.enqueue(app("slow"), message("slow", "s5")));  // 3 queued for one app
    CHECK(dispatch.enqueue(app("other"), message("other", "o1")));
    CHECK_FALSE(dispatch.enqueue(app("other"), message("other", "o2")));  // 5 in all, the one in flight counted
    // Taken back (an app gone away or unregistered): the queued ones, in order, not the one in flight.
    auto drained = dispatch.drain("slow");
    REQUIRE(drained.size() == 3);
    CHECK(drained[0].id == "s2");
    CHECK(drained[2].id == "s4");
    CHECK(dispatch.holds("s1"));
    CHECK_FALSE(dispatch.holds("s2"));
    CHECK(dispatch.enqueue(app("third"), message("third", "t1")));
    apps.release();
    CHECK(waitUntil([&] { return apps.doneNow().size() == 3; }));
    CHECK(apps.doneNow() == std::vector<std::string>{"s1", "o1", "t1"});
}

TEST_CASE("a message its Done hands back comes again before the app's others", "[device]") {
    Apps apps;
    apps.retries = 1;
    MessageDispatch dispatch(
        DispatchLimits{1, 10, 10}, [&](std::size_t, const Registration&, const IncomingMessage& m) { return apps.call(m); },
        [&](const Registration&, const IncomingMessage& m, bool taken) { return apps.finish(m, taken); });
    ReleaseOnExit guard{apps};
    REQUIRE(dispatch.enqueue(app("one"), message("one", "refused")));  // the stand-in app refuses this id
    REQUIRE(dispatch.enqueue(app("one"), message("one", "next")));
    CHECK(waitUntil([&] { return apps.doneNow().size() == 3; }));
    CHECK(apps.doneNow() == std::vector<std::string>{"refused (not taken)", "refused (not taken)", "next"});
    CHECK_FALSE(dispatch.holds("refused"));
}
