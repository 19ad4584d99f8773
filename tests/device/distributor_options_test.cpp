#include "distributor_options.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "temp_dir.h"

using namespace dhtpush::device;

TEST_CASE("the distributor's configuration file gives proxies and limits", "[device]") {
    DistributorOptions options;
    REQUIRE(applyDistributorConfig(R"(
proxies = ["https://a.example", "http://127.0.0.1:8080"]
name = "dhtpush2"
max_registrations = 10
require_vapid = true
state = "/tmp/somewhere"
min_urgency = "low"
)",
                                   options));
    CHECK(options.proxies == std::vector<std::string>{"https://a.example", "http://127.0.0.1:8080"});
    CHECK(options.nameSuffix == "dhtpush2");
    CHECK(options.limits.maxRegistrations == 10);
    CHECK(options.limits.requireVapid);
    CHECK(options.stateDirectory == "/tmp/somewhere");
    CHECK(options.minUrgency == dhtpush::node::Urgency::Low);
}

TEST_CASE("a bad configuration file is refused with what is wrong in it", "[device]") {
    const auto refusal = [](const char* text) {
        DistributorOptions options;
        auto applied = applyDistributorConfig(text, options);
        REQUIRE_FALSE(applied);
        return applied.error().detail;
    };
    CHECK_THAT(refusal("proxies = [\"ftp://x\"]"), Catch::Contains("ftp://x"));
    CHECK_THAT(refusal("proxies = \"https://a\""), Catch::Contains("list"));
    CHECK_THAT(refusal("max_registrations = 0"), Catch::Contains("max_registrations"));
    CHECK_THAT(refusal("max_registrations = \"ten\""), Catch::Contains("max_registrations"));
    CHECK_THAT(refusal("name = \"a.b\""), Catch::Contains("a.b"));
    CHECK_THAT(refusal("proxys = []"), Catch::Contains("proxys"));
    CHECK_THAT(refusal("min_urgency = \"urgent\""), Catch::Contains("urgent"));
    CHECK_THAT(refusal("min_urgency = 2"), Catch::Contains("min_urgency"));
    CHECK_THAT(refusal("proxies = [\"https://a\""), Catch::Contains("not TOML"));
}

TEST_CASE("command line options come after the configuration file's", "[device]") {
    dhtpush::test::TempDir dir;
    const auto file = dir.path().string() + "/distributor.toml";
    std::ofstream(file) << "proxies = [\"https://a.example\"]\nmax_registrations = 5\n";
    auto options = parseDistributorOptions({"--config", file, "--proxy", "https://b.example", "--max-registrations", "7"});
    REQUIRE(options);
    CHECK(options->proxies == std::vector<std::string>{"https://a.example", "https://b.example"});
    CHECK(options->limits.maxRegistrations == 7);
    CHECK_FALSE(options->minUrgency);  // unset: the power state decides
    auto fixed = parseDistributorOptions({"--config", file, "--min-urgency", "high"});
    REQUIRE(fixed);
    CHECK(fixed->minUrgency == dhtpush::node::Urgency::High);
    CHECK_FALSE(parseDistributorOptions({"--config", file, "--min-urgency", "HIGH"}));
    CHECK_FALSE(parseDistributorOptions({"--config", dir.path().string() + "/missing.toml"}));
    CHECK_FALSE(parseDistributorOptions({"--config", file, "--max-registrations", "7x"}));
    CHECK_FALSE(parseDistributorOptions({"--config", file, "--bogus"}));
}

TEST_CASE("the distributor takes --discover instead of a proxy list, and a grace period for healing", "[device]") {
    dhtpush::test::TempDir dir;
    const auto empty = dir.path().string() + "/distributor.toml";
    std::ofstream(empty) << "";
    auto options = parseDistributorOptions({"--config", empty, "--discover", "https://n.example", "--heal-after", "30"});
    REQUIRE(options);
    CHECK(options->discover == std::vector<std::string>{"https://n.example"});
    CHECK(options->healAfterSeconds == 30);
    CHECK(options->proxies.empty());
    // Both a fixed list and discovery, a bad URL, a bad grace period: refused.
    CHECK_FALSE(parseDistributorOptions({"--config", empty, "--discover", "https://n.example", "--proxy", "https://p.example"}));
    CHECK_FALSE(parseDistributorOptions({"--config", empty, "--discover", "ftp://n.example"}));
    CHECK_FALSE(parseDistributorOptions({"--config", empty, "--discover", "https://n.example", "--heal-after", "-1"}));
    DistributorOptions fromFile;
    CHECK(applyDistributorConfig("discover = [\"https://n.example\"]\nheal_after = 0", fromFile));
    CHECK(fromFile.healAfterSeconds == 0);
    CHECK_FALSE(applyDistributorConfig("heal_after = 100000", fromFile));
    CHECK_FALSE(applyDistributorConfig("discover = 5", fromFile));
}

TEST_CASE("the distributor's --help gives each option's default and configuration key", "[device]") {
    const auto usage = distributorUsage();
    for (const char* shown : {"--proxy URL", "[config: proxies]", "--name NAME=dhtpush", "[config: name]",
                              "--max-registrations N=256", "[config: max_registrations]", "[config: require_vapid]",
                              "[config: min_urgency]", "[config: state]"}) {
        CAPTURE(shown);
        CHECK(usage.find(shown) != std::string::npos);
    }
    // Each key --help names is one the file takes.
    const std::map<std::string, std::string> sample{{"proxies", "[\"https://a.example\"]"}, {"state", "\"/tmp/x\""},
                                                    {"name", "\"n\""}, {"max_registrations", "5"},
                                                    {"require_vapid", "true"}, {"min_urgency", "\"low\""},
                                                    {"discover", "[\"https://node.example\"]"}, {"heal_after", "60"}};
    std::size_t keys = 0;
    for (auto at = usage.find("[config: "); at != std::string::npos; at = usage.find("[config: ", at + 1), ++keys) {
        const auto key = usage.substr(at + 9, usage.find(']', at) - at - 9);
        INFO(key);
        REQUIRE(sample.count(key));
        DistributorOptions options;
        CHECK(applyDistributorConfig(key + " = " + sample.at(key), options));
    }
    CHECK(keys == sample.size());
}
