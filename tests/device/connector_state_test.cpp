#include "connector_state.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "dhtpush/crypto/webpush_encryption.h"
#include "temp_dir.h"

using namespace dhtpush::connector;

TEST_CASE("the app library keeps one token and key pair per app, in a file only the user reads", "[device]") {
    dhtpush::test::TempDir dir;
    const auto folder = dir.path().string() + "/app";
    const auto path = folder + "/connector.json";
    auto first = loadOrMakeConnectorState(folder, path);
    REQUIRE(first);
    CHECK(first->token.size() >= 20);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    first->endpoint = "https://proxy.example/wp/x";
    REQUIRE(saveConnectorState(path, *first));
    auto again = loadOrMakeConnectorState(folder, path);
    REQUIRE(again);
    CHECK(again->token == first->token);
    CHECK(again->privateKey == first->privateKey);
    CHECK(again->endpoint == "https://proxy.example/wp/x");
    // The keys work: what an app server encrypts to them decrypts.
    const dhtpush::crypto::Bytes text{'h', 'i'};
    auto body = dhtpush::crypto::webpushEncrypt(text, again->p256dh, again->auth);
    REQUIRE(body);
    auto plain = dhtpush::crypto::webpushDecrypt(*body, again->p256dh, again->privateKey, again->auth);
    REQUIRE(plain);
    CHECK(*plain == text);
    CHECK_THAT(subscriptionJson(*again), Catch::Contains("\"p256dh\":\"" + again->p256dh + "\""));
    CHECK_THAT(subscriptionJson(*again), !Catch::Contains(again->privateKey));
}

TEST_CASE("a damaged state file is refused, never replaced", "[device]") {
    dhtpush::test::TempDir dir;
    const auto path = dir.path().string() + "/connector.json";
    std::ofstream(path) << "{\"token\": \"t\"}";
    auto loaded = loadOrMakeConnectorState(dir.path().string(), path);
    REQUIRE_FALSE(loaded);
    CHECK_THAT(loaded.error().detail, Catch::Contains("remove it"));
    std::ofstream(path) << "not json";
    CHECK_FALSE(loadOrMakeConnectorState(dir.path().string(), path));
}

TEST_CASE("the app library remembers the last message ids it handed to the app, across restarts", "[device]") {
    dhtpush::test::TempDir dir;
    const auto path = dir.path().string() + "/connector.json";
    auto state = loadOrMakeConnectorState(dir.path().string(), path);
    REQUIRE(state);
    CHECK(state->handledIds.empty());
    for (std::size_t i = 0; i < MAX_HANDLED_IDS + 10; ++i) rememberHandled(*state, "id-" + std::to_string(i));
    CHECK(state->handledIds.size() == MAX_HANDLED_IDS);
    CHECK(state->handledIds.front() == "id-10");  // the oldest went
    REQUIRE(saveConnectorState(path, *state));
    auto again = loadOrMakeConnectorState(dir.path().string(), path);
    REQUIRE(again);
    CHECK(again->handledIds == state->handledIds);
    // A hand-edited file: what is not a string is skipped, and only the last ids are kept.
    std::string text;
    {
        std::ifstream in(path);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto at = text.find("\"handledIds\"");
    REQUIRE(at != std::string::npos);
    std::string many = "\"handledIds\" : [1, null, ";
    for (std::size_t i = 0; i < 300; ++i) many += "\"x" + std::to_string(i) + "\",";
    many += "\"last\"]";
    text.replace(at, text.find(']', at) + 1 - at, many);
    std::ofstream(path) << text;
    auto edited = loadOrMakeConnectorState(dir.path().string(), path);
    REQUIRE(edited);
    CHECK(edited->handledIds.size() == MAX_HANDLED_IDS);
    CHECK(edited->handledIds.back() == "last");
}
