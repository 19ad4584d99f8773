#include "directory_view.h"

#include <catch2/catch.hpp>

using dhtpush::node::DirectoryView;
using dhtpush::node::ProxyRecord;

namespace {

constexpr std::int64_t NOW = 1'800'000'000'000;  // ms
constexpr std::int64_t MINUTE = 60'000;

ProxyRecord entry(const std::string& identity, std::int64_t issued, std::int64_t expires, std::uint64_t devices = 0) {
    ProxyRecord r;
    r.urls = {"https://" + identity + ".example"};
    r.identity = identity;
    r.issuedUnixMs = issued;
    r.expiresUnixMs = expires;
    r.maxDevices = 100;
    r.devices = devices;
    return r;
}

}  // namespace

TEST_CASE("a node keeps at most 512 directory entries, dropping the one that expires first",
          "[node][directory]") {
    DirectoryView view;
    // 512 signers whose entries expire 1 to 512 s from now, each in its own value.
    for (std::int64_t i = 1; i <= static_cast<std::int64_t>(DirectoryView::MAX_RECORDS); ++i)
        view.take({entry("id" + std::to_string(i), NOW, NOW + i * 1000)}, NOW);
    REQUIRE(view.count(NOW) == DirectoryView::MAX_RECORDS);

    // One more that expires later than some: the earliest goes.
    CHECK(view.take({entry("late", NOW, NOW + 10 * MINUTE)}, NOW) == 0);
    CHECK(view.count(NOW) == DirectoryView::MAX_RECORDS);
    auto records = view.records(NOW);
    CHECK(std::none_of(records.begin(), records.end(), [](const ProxyRecord& r) { return r.identity == "id1"; }));
    CHECK(std::any_of(records.begin(), records.end(), [](const ProxyRecord& r) { return r.identity == "late"; }));

    // One that would expire before every kept entry does not push one out.
    view.take({entry("early", NOW, NOW + 500)}, NOW);
    records = view.records(NOW);
    CHECK(records.size() == DirectoryView::MAX_RECORDS);
    CHECK(std::none_of(records.begin(), records.end(), [](const ProxyRecord& r) { return r.identity == "early"; }));

    // A flood of 10,000 more signers leaves the bound where it is.
    std::vector<ProxyRecord> flood;
    for (int i = 0; i < 10000; ++i) flood.push_back(entry("sybil" + std::to_string(i), NOW, NOW + 5 * MINUTE));
    view.take(std::move(flood), NOW);
    CHECK(view.count(NOW) == DirectoryView::MAX_RECORDS);

    // Once entries have expired, new signers take their room first.
    const auto later = NOW + 9 * MINUTE;  // past every entry but "late"
    view.take({entry("fresh", later, later + MINUTE)}, later);
    records = view.records(later);
    CHECK(std::any_of(records.begin(), records.end(), [](const ProxyRecord& r) { return r.identity == "fresh"; }));
    CHECK(records.size() == 2);  // "late" and "fresh": the rest expired
}

TEST_CASE("a signer's newer entry replaces its last, an older one does not", "[node][directory]") {
    DirectoryView view;
    view.take({entry("a", NOW, NOW + 3 * MINUTE, 10)}, NOW);
    view.take({entry("a", NOW + 1000, NOW + 3 * MINUTE, 20)}, NOW + 1000);
    view.take({entry("a", NOW - 1000, NOW + 3 * MINUTE, 30)}, NOW + 1000);
    const auto records = view.records(NOW + 1000);
    REQUIRE(records.size() == 1);
    CHECK(records[0].devices == 20);
}

TEST_CASE("a withdrawn entry ends its signer's last one, unless it is dated beyond the skew",
          "[node][directory]") {
    DirectoryView view;
    view.take({entry("a", NOW, NOW + 3 * MINUTE), entry("b", NOW, NOW + 3 * MINUTE)}, NOW);
    // b's withdrawal (expiry == issue), dated now: b is gone.
    CHECK(view.take({entry("b", NOW + 1000, NOW + 1000)}, NOW + 1000) == 0);
    // A withdrawal of a dated 10 minutes ahead (a forged clock) ends nothing, and is refused.
    CHECK(view.take({entry("a", NOW + 10 * MINUTE, NOW + 10 * MINUTE)}, NOW + 1000) == 1);
    const auto records = view.records(NOW + 1000);
    REQUIRE(records.size() == 1);
    CHECK(records[0].identity == "a");
    // An entry of a signer the node does not know, already expired, is refused.
    CHECK(view.take({entry("c", NOW - 5 * MINUTE, NOW - MINUTE)}, NOW) == 1);
}

TEST_CASE("entries come out least loaded first, expired ones never", "[node][directory]") {
    DirectoryView view;
    view.take({entry("busy", NOW, NOW + MINUTE, 90), entry("idle", NOW, NOW + MINUTE, 5),
               entry("half", NOW, NOW + 2 * MINUTE, 50)},
              NOW);
    auto records = view.records(NOW);
    REQUIRE(records.size() == 3);
    CHECK(records[0].identity == "idle");
    CHECK(records[1].identity == "half");
    CHECK(records[2].identity == "busy");
    records = view.records(NOW + MINUTE);
    REQUIRE(records.size() == 1);
    CHECK(records[0].identity == "half");
    CHECK(view.count(NOW + MINUTE) == 1);
}
