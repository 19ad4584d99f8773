// The mailbox against a real SQLite file: dedupe, acks remembered, Topic order, quotas,
// resume order and durability across reopening.
#include "device_store.h"
#include "mailbox.h"

#include <sqlite3.h>

#include <filesystem>

#include "dhtpush/crypto/token.h"

#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::proxy;

namespace {

struct Fixture {
    test::TempDir dir;  // declared first: removed after the database is closed
    std::string path = (dir.path() / "proxy.sqlite").string();
    std::unique_ptr<DeviceStore> store;
    std::unique_ptr<Mailbox> mailbox;
    std::string device;
    std::string token = crypto::SubscriptionToken::generate().text();

    explicit Fixture(MailboxLimits limits = {}) {
        open(limits);
        device = store->createDevice()->id;
        REQUIRE(store->addSubscription(device, token).ok());
    }
    void open(MailboxLimits limits = {}) {
        mailbox.reset();
        store.reset();
        store = std::move(DeviceStore::open(path).value());
        mailbox = std::make_unique<Mailbox>(store->database(), limits);
    }
    node::DeliveredMessage message(const std::string& body, std::string topic = {}, std::uint64_t createdMs = 0) {
        auto e = node::Envelope::create(600, node::Urgency::Normal, std::move(topic), "", crypto::toBytes(body));
        if (createdMs) e.createdMs = createdMs;
        return {token, e};
    }
    std::int64_t farFuture() const { return unixMs() + 3600 * 1000; }
    std::vector<std::string> pendingBodies(std::int64_t after = 0) {
        std::vector<std::string> out;
        const auto pending = mailbox->pending(device, after, unixMs());
        REQUIRE(pending.ok());
        for (const auto& m : *pending)
            out.emplace_back(m.message.envelope.body.begin(), m.message.envelope.body.end());
        return out;
    }
};

}  // namespace

TEST_CASE("the mailbox stores a message once and keeps arrival order", "[proxy][mailbox]") {
    Fixture f;
    const auto a = f.message("a"), b = f.message("b");
    auto first = f.mailbox->enqueue(f.device, a, f.farFuture());
    REQUIRE(first.ok());
    REQUIRE(first->has_value());
    CHECK_FALSE(f.mailbox->enqueue(f.device, a, f.farFuture())->has_value());  // the DHT's second copy
    auto second = f.mailbox->enqueue(f.device, b, f.farFuture());
    REQUIRE(second->has_value());
    CHECK(**second > **first);
    CHECK(f.pendingBodies() == std::vector<std::string>{"a", "b"});
    CHECK(f.pendingBodies(**first) == std::vector<std::string>{"b"});
}

TEST_CASE("acked messages are deleted and never stored again, even ids not yet seen", "[proxy][mailbox]") {
    Fixture f;
    const auto a = f.message("a"), later = f.message("later");
    REQUIRE(f.mailbox->enqueue(f.device, a, f.farFuture())->has_value());
    auto acked = f.mailbox->ack(f.device, {a.envelope.idText(), later.envelope.idText(), "unknown"});
    REQUIRE(acked.ok());
    CHECK(*acked == 1);
    CHECK(f.pendingBodies().empty());
    CHECK_FALSE(f.mailbox->enqueue(f.device, a, f.farFuture())->has_value());
    CHECK_FALSE(f.mailbox->enqueue(f.device, later, f.farFuture())->has_value());
}

TEST_CASE("a Topic keeps only the newest message of that Topic", "[proxy][mailbox]") {
    Fixture f;
    const auto now = static_cast<std::uint64_t>(unixMs());
    REQUIRE(f.mailbox->enqueue(f.device, f.message("old", "t", now - 2000), f.farFuture())->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, f.message("new", "t", now), f.farFuture())->has_value());
    // A copy of an even older one arriving late through the DHT does not win.
    CHECK_FALSE(f.mailbox->enqueue(f.device, f.message("older", "t", now - 5000), f.farFuture())->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, f.message("other", "u", now), f.farFuture())->has_value());
    CHECK(f.pendingBodies() == std::vector<std::string>{"new", "other"});
}

TEST_CASE("mailbox quotas refuse with StorageFull", "[proxy][mailbox]") {
    MailboxLimits limits;
    limits.subscriptionMessages = 2;
    limits.subscriptionBytes = 1000;
    Fixture f(limits);
    REQUIRE(f.mailbox->enqueue(f.device, f.message("a"), f.farFuture())->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, f.message("b"), f.farFuture())->has_value());
    auto full = f.mailbox->enqueue(f.device, f.message("c"), f.farFuture());
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().code == Errc::StorageFull);
    CHECK(f.mailbox->checkRoom(f.device, f.token, "", 10).error().code == Errc::StorageFull);
    CHECK(f.pendingBodies() == std::vector<std::string>{"a", "b"});
}

TEST_CASE("expired messages are not pending and are pruned", "[proxy][mailbox]") {
    Fixture f;
    REQUIRE(f.mailbox->enqueue(f.device, f.message("gone"), unixMs() - 1)->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, f.message("kept"), f.farFuture())->has_value());
    CHECK(f.pendingBodies() == std::vector<std::string>{"kept"});
    CHECK(*f.mailbox->pruneExpired(unixMs()) == 1);
}

TEST_CASE("the mailbox survives closing and reopening the database", "[proxy][mailbox]") {
    Fixture f;
    const auto a = f.message("a"), b = f.message("b");
    REQUIRE(f.mailbox->enqueue(f.device, a, f.farFuture())->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, b, f.farFuture())->has_value());
    REQUIRE(f.mailbox->ack(f.device, {a.envelope.idText()}).ok());
    f.open();
    CHECK(f.pendingBodies() == std::vector<std::string>{"b"});
    CHECK_FALSE(f.mailbox->enqueue(f.device, a, f.farFuture())->has_value());
}

TEST_CASE("removing a subscription or a device removes its messages", "[proxy][mailbox]") {
    Fixture f;
    REQUIRE(f.mailbox->enqueue(f.device, f.message("a"), f.farFuture())->has_value());
    REQUIRE(f.store->removeSubscription(f.device, f.token).ok());
    CHECK(f.pendingBodies().empty());
    auto gone = f.mailbox->enqueue(f.device, f.message("b"), f.farFuture());
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == Errc::NotFound);
}

TEST_CASE("an admitted message is written by store(), skipped if acked in between", "[proxy][mailbox]") {
    Fixture f;
    auto a = Mailbox::entryFor(f.device, f.message("a"), f.farFuture());
    auto b = Mailbox::entryFor(f.device, f.message("b"), f.farFuture());
    REQUIRE(*f.mailbox->admit(a));
    REQUIRE(*f.mailbox->admit(b));
    CHECK(b.seq > a.seq);
    CHECK(f.pendingBodies().empty());  // admit() only reads
    REQUIRE(f.mailbox->ack(f.device, {b.messageId}).ok());
    auto stored = f.mailbox->store({a, b});
    REQUIRE(stored.ok());
    CHECK(stored->written == 1);
    CHECK(stored->skipped == 1);
    CHECK(f.pendingBodies() == std::vector<std::string>{"a"});
}

TEST_CASE("isNew() tells a stored or acked message from a new one and hands out no seq", "[proxy][mailbox]") {
    Fixture f;
    auto stored = Mailbox::entryFor(f.device, f.message("stored"), f.farFuture());
    auto acked = Mailbox::entryFor(f.device, f.message("acked"), f.farFuture());
    auto fresh = Mailbox::entryFor(f.device, f.message("new"), f.farFuture());
    REQUIRE(*f.mailbox->admit(stored));
    REQUIRE(f.mailbox->store({stored}).ok());
    REQUIRE(f.mailbox->ack(f.device, {acked.messageId}).ok());
    CHECK_FALSE(*f.mailbox->isNew(stored));
    CHECK_FALSE(*f.mailbox->isNew(acked));
    CHECK(*f.mailbox->isNew(fresh));
    CHECK(fresh.seq == 0);
    REQUIRE(*f.mailbox->admit(fresh));
    CHECK(fresh.seq == stored.seq + 1);  // isNew() took none
}

TEST_CASE("a seq handed out before a crash is never handed out again", "[proxy][mailbox]") {
    Fixture f;
    auto sent = Mailbox::entryFor(f.device, f.message("sent, never written"), f.farFuture());
    REQUIRE(*f.mailbox->admit(sent));
    f.open();  // the process died between the stream write and store()
    auto next = Mailbox::entryFor(f.device, f.message("next"), f.farFuture());
    REQUIRE(*f.mailbox->admit(next));
    CHECK(next.seq > sent.seq);
    REQUIRE(f.mailbox->store({next}).ok());
    // A device that saw `sent` resumes after it and still gets `next`.
    CHECK(f.pendingBodies(sent.seq) == std::vector<std::string>{"next"});
}

TEST_CASE("a Topic message stored after admit() replaces the older one", "[proxy][mailbox]") {
    Fixture f;
    REQUIRE(f.mailbox->enqueue(f.device, f.message("old", "weather", 1000), f.farFuture())->has_value());
    auto newer = Mailbox::entryFor(f.device, f.message("new", "weather", 2000), f.farFuture());
    REQUIRE(*f.mailbox->admit(newer));
    REQUIRE(f.mailbox->store({newer}).ok());
    CHECK(f.pendingBodies() == std::vector<std::string>{"new"});
}

namespace {

std::vector<std::string> madeUpIds(std::size_t count, std::size_t from) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) ids.push_back("made-up-" + std::to_string(from + i));
    return ids;
}

std::int64_t rowsOf(Fixture& f, const char* sql) {
    Statement s(*f.store->database(), sql);
    REQUIRE(s.step() == SQLITE_ROW);
    return s.integer(0);
}

// SQLite virtual-machine steps that `work` makes on the fixture's database: how much it
// reads, counted the same on every machine.
template <typename Work>
std::uint64_t vmSteps(Fixture& f, Work&& work) {
    std::uint64_t steps = 0;
    auto* db = f.store->database()->handle();
    sqlite3_progress_handler(
        db, 1, [](void* counter) { return ++*static_cast<std::uint64_t*>(counter), 0; }, &steps);
    work();
    sqlite3_progress_handler(db, 0, nullptr, nullptr);
    return steps;
}

}  // namespace

// Regression (issue 19): each ack counted every id its device had acked before (660,000 after
// 11 minutes at 1,000 messages/s), and looked its message up through the device's whole
// backlog: a proxy's work per ack grew with both.
TEST_CASE("an ack costs the same however many ids the device acked before and however long its backlog",
          "[proxy][mailbox]") {
    MailboxLimits roomy;
    roomy.deviceMessages = roomy.subscriptionMessages = 5000;
    roomy.deviceBytes = roomy.subscriptionBytes = 64 * 1024 * 1024;
    auto ackOne = [](Fixture& f) {
        const auto m = f.message("target");
        REQUIRE(f.mailbox->enqueue(f.device, m, f.farFuture())->has_value());
        return vmSteps(f, [&] { REQUIRE(*f.mailbox->ack(f.device, {m.envelope.idText()}) == 1); });
    };
    Fixture fresh(roomy);
    const auto alone = ackOne(fresh);

    Fixture busy(roomy);
    {
        Statement fill(*busy.store->database(),
                       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                       "INSERT INTO acked(device_id, message_id, expires_ms) SELECT ?, 'old-' || i, ? FROM n");
        fill.bind(1, busy.device).bind(2, busy.farFuture());
        REQUIRE(fill.step() == SQLITE_DONE);
    }
    for (int i = 0; i < 2000; ++i) REQUIRE(busy.mailbox->enqueue(busy.device, busy.message("b" + std::to_string(i)), busy.farFuture())->has_value());
    const auto crowded = ackOne(busy);
    CAPTURE(alone, crowded);
    CHECK(crowded < 2 * alone);  // 20,000 acked ids and 2,000 waiting: a few B-tree levels more
}

// Regression (issue 12): every acked id was stored, 1,000 per request, without bound.
TEST_CASE("an ack flood of made-up ids is remembered only within the device's budget", "[proxy][mailbox]") {
    MailboxLimits limits;
    limits.unknownAcksPerDevice = 1500;
    Fixture f(limits);
    const auto real = f.message("real");
    REQUIRE(f.mailbox->enqueue(f.device, real, f.farFuture())->has_value());
    for (std::size_t round = 0; round < 5; ++round) REQUIRE(f.mailbox->ack(f.device, madeUpIds(1000, round * 1000)).ok());
    CHECK(rowsOf(f, "SELECT COUNT(*) FROM acked") == 1500);
    // A stored message is still acked and remembered past the budget.
    auto acked = f.mailbox->ack(f.device, {real.envelope.idText()});
    REQUIRE(acked.ok());
    CHECK(*acked == 1);
    CHECK(f.pendingBodies().empty());
    CHECK_FALSE(f.mailbox->enqueue(f.device, real, f.farFuture())->has_value());
}

// Regression (issue 12): a statement still open at COMMIT kept SQLite from resetting its WAL,
// which grew by every transaction (400 MB in 15 s under an ack flood).
TEST_CASE("the WAL stays bounded under a long run of acks and stores", "[proxy][mailbox]") {
    MailboxLimits limits;
    limits.unknownAcksPerDevice = 1000000;
    limits.deviceMessages = limits.subscriptionMessages = 1000000;
    limits.deviceBytes = limits.subscriptionBytes = 1u << 30;
    Fixture f(limits);
    for (std::size_t round = 0; round < 150; ++round) {
        REQUIRE(f.mailbox->ack(f.device, madeUpIds(1000, round * 1000)).ok());
        REQUIRE(f.mailbox->enqueue(f.device, f.message(std::string(2000, 'x')), f.farFuture()).ok());
    }
    CHECK(rowsOf(f, "SELECT COUNT(*) FROM acked") == 150000);
    const auto wal = std::filesystem::file_size(f.path + "-wal");
    CAPTURE(wal);
    CHECK(wal < 8u * 1024 * 1024);  // 1000 pages of 4 KiB between checkpoints, plus one transaction
}

// Regression (issue 17): once the newest message of a Topic was acked, an older copy that
// came back from the DHT (e.g. after a restart) was stored and delivered again.
TEST_CASE("a replaced message stays replaced after the newest is acked and the store reopened", "[proxy][mailbox]") {
    Fixture f;
    const auto older = f.message("older", "news", unixMs() - 2000);
    const auto newest = f.message("newest", "news", unixMs() - 1000);
    REQUIRE(f.mailbox->enqueue(f.device, older, f.farFuture())->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, newest, f.farFuture())->has_value());
    CHECK(f.pendingBodies() == std::vector<std::string>{"newest"});
    REQUIRE(f.mailbox->ack(f.device, {newest.envelope.idText()}).ok());
    f.open();  // a restart
    CHECK_FALSE(f.mailbox->enqueue(f.device, older, f.farFuture())->has_value());
    CHECK(f.pendingBodies().empty());
    // A newer message of that Topic is still taken.
    REQUIRE(f.mailbox->enqueue(f.device, f.message("next", "news"), f.farFuture())->has_value());
    CHECK(f.pendingBodies() == std::vector<std::string>{"next"});
}

// Issue 12: a full disk is StorageFull (a 507 for the sender), and loses nothing stored.
TEST_CASE("a full disk refuses new messages as StorageFull and keeps the stored ones", "[proxy][mailbox]") {
    MailboxLimits limits;
    limits.deviceMessages = limits.subscriptionMessages = 100000;
    limits.deviceBytes = limits.subscriptionBytes = 1u << 30;
    Fixture f(limits);
    // The database may not grow past its pages in use plus a few: a disk that fills up.
    Statement pages(*f.store->database(), "PRAGMA page_count");
    REQUIRE(pages.step() == SQLITE_ROW);
    const auto limit = "PRAGMA max_page_count = " + std::to_string(pages.integer(0) + 8);
    pages.reset();
    REQUIRE(f.store->database()->exec(limit.c_str()).ok());
    std::size_t stored = 0;
    dhtpush::Error refusal{Errc::Internal, ""};
    for (int i = 0; i < 200; ++i) {
        auto result = f.mailbox->enqueue(f.device, f.message(std::string(3000, 'a' + i % 26)), f.farFuture());
        if (!result) {
            refusal = result.error();
            break;
        }
        ++stored;
    }
    REQUIRE(stored > 0);
    REQUIRE(stored < 200);
    CHECK(refusal.code == Errc::StorageFull);
    CHECK(refusal.detail.find("disk is full") != std::string::npos);
    CHECK(f.pendingBodies().size() == stored);
}

TEST_CASE("the mailbox's totals count every device's messages, at most once per few seconds", "[proxy][mailbox]") {
    Fixture f;
    REQUIRE(f.mailbox->enqueue(f.device, f.message("one"), f.farFuture())->has_value());
    REQUIRE(f.mailbox->enqueue(f.device, f.message("three"), f.farFuture())->has_value());
    auto totals = f.mailbox->totals();
    REQUIRE(totals.ok());
    CHECK(totals->messages == 2);
    CHECK(totals->bytes > 0);
    // A third message right after: the count is the one made a moment ago, not a new scan
    // of the table (anyone may load /metrics or the status page in a loop).
    REQUIRE(f.mailbox->enqueue(f.device, f.message("four"), f.farFuture())->has_value());
    CHECK(f.mailbox->totals()->messages == 2);
}
