#include "registration_store.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "temp_dir.h"

using namespace dhtpush::device;

namespace {

Registration sample(const std::string& appToken, const std::string& pushToken) {
    return {appToken, "org.example.App", 2, "chat", "", pushToken, "https://proxy.example/wp/" + pushToken};
}

mode_t modeOf(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("registrations outlive the store, in a file only the user can read", "[device]") {
    dhtpush::test::TempDir dir;
    const auto state = dir.path().string() + "/state";
    {
        auto store = RegistrationStore::open(state);
        REQUIRE(store);
        REQUIRE((*store)->put(sample("app-a", "push-a")));
        REQUIRE((*store)->put(sample("app-b", "push-b")));
        REQUIRE((*store)->addProxy({"http://127.0.0.1:1", "device", "secret"}));
    }
    CHECK(modeOf(state) == 0700);
    CHECK(modeOf(state + "/distributor.sqlite") == 0600);
    auto store = RegistrationStore::open(state);
    REQUIRE(store);
    CHECK((*store)->count() == 2);
    REQUIRE((*store)->byPushToken("push-b"));
    CHECK((*store)->byPushToken("push-b")->appToken == "app-b");
    CHECK((*store)->byAppToken("app-a")->endpoint == "https://proxy.example/wp/push-a");
    CHECK_FALSE((*store)->byAppToken("app-c"));
    REQUIRE((*store)->proxies().size() == 1);
    CHECK((*store)->proxies().front().secret == "secret");
    REQUIRE((*store)->remove("app-a"));
    CHECK((*store)->count() == 1);
    CHECK_FALSE((*store)->byPushToken("push-a"));
}

TEST_CASE("a registration put again replaces the one with its app token", "[device]") {
    dhtpush::test::TempDir dir;
    auto store = RegistrationStore::open(dir.path().string());
    REQUIRE(store);
    REQUIRE((*store)->put(sample("app-a", "push-a")));
    auto changed = sample("app-a", "push-z");
    changed.version = 1;
    REQUIRE((*store)->put(changed));
    CHECK((*store)->count() == 1);
    CHECK((*store)->byAppToken("app-a")->version == 1);
    CHECK_FALSE((*store)->byPushToken("push-a"));
}

TEST_CASE("handed message ids are kept up to their bound", "[device]") {
    dhtpush::test::TempDir dir;
    auto store = RegistrationStore::open(dir.path().string());
    REQUIRE(store);
    CHECK_FALSE((*store)->wasHanded("m0"));
    for (std::size_t i = 0; i <= RegistrationStore::HANDED_IDS_KEPT; ++i) REQUIRE((*store)->markHanded("m" + std::to_string(i)));
    CHECK_FALSE((*store)->wasHanded("m0"));  // the oldest, past the bound
    CHECK((*store)->wasHanded("m1"));
    CHECK((*store)->wasHanded("m" + std::to_string(RegistrationStore::HANDED_IDS_KEPT)));
}

TEST_CASE("a retired proxy's account leaves the list and is kept, up to a bound, until forgotten", "[device]") {
    dhtpush::test::TempDir dir;
    auto store = RegistrationStore::open(dir.path().string() + "/state");
    REQUIRE(store);
    REQUIRE((*store)->addProxy({"http://a", "device-a", "secret-a"}));
    REQUIRE((*store)->addProxy({"http://b", "device-b", "secret-b"}));
    REQUIRE((*store)->retireProxy("http://a"));
    REQUIRE((*store)->proxies().size() == 1);
    CHECK((*store)->proxies().front().url == "http://b");
    REQUIRE((*store)->retiredProxies().size() == 1);
    CHECK((*store)->retiredProxies().front().secret == "secret-a");
    REQUIRE((*store)->forgetRetired("http://a"));
    CHECK((*store)->retiredProxies().empty());
    // Past the bound, the oldest retired accounts go.
    for (std::size_t i = 0; i < RegistrationStore::RETIRED_PROXIES_KEPT + 3; ++i) {
        const auto url = "http://p" + std::to_string(i);
        REQUIRE((*store)->addProxy({url, "d", "s"}));
        REQUIRE((*store)->retireProxy(url));
    }
    const auto retired = (*store)->retiredProxies();
    REQUIRE(retired.size() == RegistrationStore::RETIRED_PROXIES_KEPT);
    CHECK(retired.front().url == "http://p3");
    CHECK(retired.back().url == "http://p" + std::to_string(RegistrationStore::RETIRED_PROXIES_KEPT + 2));
}
