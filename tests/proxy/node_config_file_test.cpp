#include "node_config_file.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "node_options.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using proxy::configTextOptions;
using proxy::effectiveConfig;
using proxy::parseNodeOptions;

namespace {

std::string writeFile(const dhtpush::test::TempDir& dir, const std::string& text) {
    const auto path = dir.path().string() + "/node.toml";
    std::ofstream(path) << text;
    return path;
}

proxy::NodeOptions parseOk(const std::vector<std::string>& args) {
    auto o = parseNodeOptions(args);
    INFO((o.ok() ? std::string() : o.error().detail));
    REQUIRE(o.ok());
    return *o;
}

// Every key the effective configuration can show: that of a node with every option set.
std::vector<std::string> everyEffectiveKey() {
    test::TempDir dir;
    std::ofstream(dir.path().string() + "/invite") << "an invite secret of enough length\n";
    const auto everything = parseOk({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--public-url", "https://x",
                                     "--invite-secret-file", dir.path().string() + "/invite"});
    std::vector<std::string> keys;
    std::istringstream lines(effectiveConfig(everything));
    for (std::string line; std::getline(lines, line);)
        if (!line.empty() && line[0] != '#') keys.push_back(line.substr(0, line.find(' ')));
    return keys;
}

}  // namespace

TEST_CASE("a configuration file's keys become the options they name", "[proxy][config]") {
    auto options = configTextOptions(
        "http_port = 9090\nbootstrap = [\"a:1\", \"b:2\"]\nlocal_network = true\npublic = false\n"
        "network = 0x10\npost_rate_per_ip = 2.5\ndata_dir = \"/var/lib/dhtpush\"\n");
    REQUIRE(options.ok());
    // In the order of the keys' names (toml++'s tables are sorted); `public = false` adds nothing.
    CHECK(*options == std::vector<std::string>{"--bootstrap", "a:1", "--bootstrap", "b:2", "--data-dir",
                                               "/var/lib/dhtpush", "--http-port", "9090", "--local-network",
                                               "--network", "16", "--post-rate-per-ip", "2.5"});
}

TEST_CASE("a configuration file with an unknown key, a wrong type or no TOML is refused by name", "[proxy][config]") {
    const auto unknown = configTextOptions("http_prot = 8080\n");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().detail == "unknown key 'http_prot'");
    // Options that are not settings have no key.
    CHECK_FALSE(configTextOptions("help = true\n").ok());
    CHECK_FALSE(configTextOptions("config = \"other.toml\"\n").ok());
    const auto wrongType = configTextOptions("local_network = \"yes\"\n");
    REQUIRE_FALSE(wrongType.ok());
    CHECK(wrongType.error().detail == "'local_network' is true or false");
    CHECK_FALSE(configTextOptions("bootstrap = \"a:1\"\n").ok());
    CHECK_FALSE(configTextOptions("bootstrap = [1]\n").ok());
    CHECK_FALSE(configTextOptions("http_port = [8080]\n").ok());
    const auto notToml = configTextOptions("http_port = \n");
    REQUIRE_FALSE(notToml.ok());
    CHECK(notToml.error().code == Errc::Malformed);
    CHECK(notToml.error().detail.find("line 1") != std::string::npos);
}

TEST_CASE("options on the command line override the configuration file", "[proxy][config]") {
    test::TempDir dir;
    const auto file = writeFile(dir, "http_port = 9090\ndht_port = 5000\nbootstrap = [\"a:1\", \"b:2\"]\n");
    const auto fromFile = parseOk({"--config", file});
    CHECK(fromFile.proxy.httpPort == 9090);
    CHECK(fromFile.dht.port == 5000);
    CHECK(fromFile.dht.bootstrap == std::vector<std::string>{"a:1", "b:2"});
    const auto overridden = parseOk({"--http-port", "7070", "--config", file, "--bootstrap", "c:3"});
    CHECK(overridden.proxy.httpPort == 7070);
    CHECK(overridden.dht.port == 5000);
    CHECK(overridden.dht.bootstrap == std::vector<std::string>{"c:3"});  // replaced, not added to
}

TEST_CASE("the option --config=FILE reads the file like --config FILE", "[proxy][config]") {
    test::TempDir dir;
    const auto file = writeFile(dir, "http_port = 9191\n");
    CHECK(parseOk({"--config=" + file}).proxy.httpPort == 9191);
    CHECK(parseOk({"--config", file}).proxy.httpPort == 9191);
}

TEST_CASE("a bad value in the configuration file is reported as the file's", "[proxy][config]") {
    test::TempDir dir;
    const auto file = writeFile(dir, "http_port = \"eighty\"\n");
    const auto bad = parseNodeOptions({"--config", file});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().detail.rfind(file + ": --http-port: 'eighty' is not a whole number", 0) == 0);
    const auto missing = parseNodeOptions({"--config", dir.path().string() + "/none.toml"});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::NotFound);
    CHECK_FALSE(parseNodeOptions({"--config"}).ok());
}

TEST_CASE("the effective configuration, read back as a file, gives the same configuration", "[proxy][config]") {
    test::TempDir dir;
    std::ofstream(dir.path().string() + "/invite") << "an invite secret of enough length\n";
    const auto options = parseOk({"--http-port", "0", "--bootstrap", "a:1", "--local-network", "--tls-cert", "c.pem",
                                  "--tls-key", "k.pem", "--stream-rate", "0.5", "--log-level", "warning",
                                  "--invite-secret-file", dir.path().string() + "/invite", "--check-config"});
    CHECK(options.checkConfig);
    const auto text = effectiveConfig(options);
    // The secret itself never, its file yes.
    CHECK(text.find("an invite secret") == std::string::npos);
    CHECK(text.find("invite_secret_file = \"" + dir.path().string() + "/invite\"") != std::string::npos);
    CHECK(text.find("https_port = 8443") != std::string::npos);
    CHECK(text.find("log_level = \"warning\"") != std::string::npos);
    const auto again = parseOk({"--config", writeFile(dir, text)});
    CHECK(effectiveConfig(again) == text);
}

TEST_CASE("the documented example configuration names every option with its default", "[proxy][config]") {
    const auto example = parseOk({"--config", std::string(DHTPUSH_SOURCE_DIR) + "/docs/dhtpush-node.toml"});
    CHECK(effectiveConfig(example) == effectiveConfig(parseOk({})));
    // Every key the effective configuration can show is in the example (commented out or not).
    std::ifstream file(std::string(DHTPUSH_SOURCE_DIR) + "/docs/dhtpush-node.toml");
    const std::string exampleText((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    for (const auto& key : everyEffectiveKey()) {
        INFO(key);
        CHECK(exampleText.find(key + " = ") != std::string::npos);
    }
}

TEST_CASE("the node's --help names the configuration key of every option, and each is a key of the file", "[proxy][config]") {
    const auto usage = proxy::nodeUsage();
    std::vector<std::string> shown;
    for (auto at = usage.find("[config: "); at != std::string::npos; at = usage.find("[config: ", at + 1)) {
        const auto start = at + 9;
        shown.push_back(usage.substr(start, usage.find(']', start) - start));
    }
    CHECK(shown.size() >= 40);
    for (const auto& key : shown) {
        INFO(key);
        const auto parsed = configTextOptions(key + " = true\n");
        CHECK((parsed.ok() || parsed.error().detail.find("unknown key") == std::string::npos));
    }
    // And the other way: every key of the effective configuration is shown in --help.
    for (const auto& key : everyEffectiveKey()) {
        INFO(key);
        CHECK(std::find(shown.begin(), shown.end(), key) != shown.end());
    }
}
