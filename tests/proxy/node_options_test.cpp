#include "node_options.h"

#include <string>
#include <vector>

#include <fstream>

#include "temp_dir.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::node::DEFAULT_NETWORK_ID;
using dhtpush::proxy::NodeOptions;
using dhtpush::proxy::nodeUsage;
using dhtpush::proxy::parseNodeOptions;

namespace {

NodeOptions parseOk(const std::vector<std::string>& args) {
    auto o = parseNodeOptions(args);
    INFO((o.ok() ? std::string() : o.error().detail));
    REQUIRE(o.ok());
    return *o;
}

Errc errorOf(const std::vector<std::string>& args) {
    const auto o = parseNodeOptions(args);
    REQUIRE_FALSE(o.ok());
    CHECK_FALSE(o.error().detail.empty());
    return o.error().code;
}

}  // namespace

TEST_CASE("node options default to a standalone private network on the documented ports", "[proxy][options]") {
    const auto o = parseOk({});
    CHECK(o.proxy.httpPort == 8080);
    CHECK(o.proxy.httpAddress == "127.0.0.1");
    CHECK(o.proxy.publicUrl.empty());
    CHECK(o.dht.port == 4222);
    CHECK(o.dht.bindAddress == "0.0.0.0");
    CHECK(o.dht.networkId == DEFAULT_NETWORK_ID);
    CHECK(o.dht.bootstrap.empty());
    CHECK(o.proxy.standalone);
    CHECK(o.dht.dataDir == ".dhtpush/node");
    CHECK(o.proxy.dataDir == ".dhtpush/node");
    CHECK(o.dht.valueExpiration == std::chrono::seconds(600));
    CHECK(o.proxy.valueExpiration == std::chrono::seconds(600));
    CHECK(o.proxy.maxTtlSeconds == 604800);
    CHECK(o.proxy.mailboxMessages == 1000);
    CHECK(o.proxy.keepAlive == std::chrono::seconds(15));
    CHECK_FALSE(o.dht.unlimitedRate);
    CHECK_FALSE(o.help);
    CHECK_FALSE(o.version);
}

TEST_CASE("every node option is parsed into the configuration", "[proxy][options]") {
    const auto o = parseOk({"--data-dir", "/var/lib/dhtpush", "--http-address", "0.0.0.0", "--http-port", "9090",
                            "--public-url", "https://push.example.org", "--dht-address", "127.0.0.1", "--dht-port",
                            "4333", "--bootstrap", "a.example:4222", "--bootstrap", "[::1]:4223", "--network", "7",
                            "--value-expiration", "120", "--max-ttl", "86400", "--mailbox-size", "50",
                            "--mailbox-bytes", "100000", "--subscription-messages", "7", "--subscription-bytes",
                            "9000", "--inboxes", "4", "--max-publish-keys", "500", "--keep-alive", "30",
                            "--max-clock-skew", "5", "--connections-per-ip", "9", "--tls-handshake-timeout", "3",
                            "--max-devices", "11", "--max-subscriptions", "12", "--max-listens", "13",
                            "--max-streams-per-device", "2", "--attach-rate", "1.5", "--subscribe-rate", "6",
                            "--post-rate-per-ip", "7", "--post-rate-per-subscription", "0.5",
                            "--post-rate-per-vapid-key", "8", "--max-publish-keys-per-ip", "9", "--stream-rate", "3",
                            "--dht-storage-mib", "64", "--dht-values-per-key", "1000", "--local-network"});
    CHECK(o.dht.storage.maxBytes == std::size_t{64} << 20);
    CHECK(o.dht.storage.maxValuesPerKey == 1000);
    CHECK(o.dht.dataDir == "/var/lib/dhtpush");
    CHECK(o.proxy.dataDir == "/var/lib/dhtpush");
    CHECK(o.proxy.httpAddress == "0.0.0.0");
    CHECK(o.proxy.httpPort == 9090);
    CHECK(o.proxy.publicUrl == "https://push.example.org");
    CHECK(o.dht.bindAddress == "127.0.0.1");
    CHECK(o.dht.port == 4333);
    CHECK(o.dht.bootstrap == std::vector<std::string>{"a.example:4222", "[::1]:4223"});
    CHECK_FALSE(o.proxy.standalone);
    CHECK(o.dht.networkId == 7);
    CHECK(o.dht.valueExpiration == std::chrono::seconds(120));
    CHECK(o.proxy.valueExpiration == std::chrono::seconds(120));
    CHECK(o.proxy.maxTtlSeconds == 86400);
    CHECK(o.proxy.mailboxMessages == 50);
    CHECK(o.proxy.mailboxBytes == 100000);
    CHECK(o.proxy.subscriptionMessages == 7);
    CHECK(o.proxy.subscriptionBytes == 9000);
    CHECK(o.proxy.inboxes == 4);
    CHECK(o.proxy.maxPublishKeys == 500);
    CHECK(o.proxy.maxClockSkew == std::chrono::seconds(5));
    CHECK(o.proxy.connectionsPerAddress == 9);
    CHECK(o.proxy.tlsHandshakeTimeout == std::chrono::seconds(3));
    CHECK(o.proxy.maxDevices == 11);
    CHECK(o.proxy.maxSubscriptions == 12);
    CHECK(o.proxy.maxListens == 13);
    CHECK(o.proxy.maxStreamsPerDevice == 2);
    CHECK(o.proxy.rates.attachesPerMinute == 1.5);
    CHECK(o.proxy.rates.subscribesPerMinute == 6);
    CHECK(o.proxy.rates.postsPerSecond == 7);
    CHECK(o.proxy.rates.postsPerSubscription == 0.5);
    CHECK(o.proxy.rates.postsPerVapidKey == 8);
    CHECK(o.proxy.rates.newPublishKeysPerHour == 9);
    CHECK(o.proxy.rates.streamOpensPerMinute == 3);
    CHECK(o.proxy.keepAlive == std::chrono::seconds(30));
    CHECK(o.dht.unlimitedRate);
}

TEST_CASE("the flags --help, -h and --version are recognised", "[proxy][options]") {
    CHECK(parseOk({"--help"}).help);
    CHECK(parseOk({"-h"}).help);
    CHECK(parseOk({"--version"}).version);
    CHECK_FALSE(parseOk({"--version"}).help);
}

TEST_CASE("port 0 asks for any free port", "[proxy][options]") {
    const auto o = parseOk({"--http-port", "0", "--dht-port", "0"});
    CHECK(o.proxy.httpPort == 0);
    CHECK(o.dht.port == 0);
}

TEST_CASE("the network id takes decimal and 0x-hex", "[proxy][options]") {
    CHECK(parseOk({"--network", "42"}).dht.networkId == 42);
    CHECK(parseOk({"--network", "0x10"}).dht.networkId == 16);
    CHECK(parseOk({"--network", "0X1f"}).dht.networkId == 31);
    CHECK(parseOk({"--network", "0x64687470"}).dht.networkId == DEFAULT_NETWORK_ID);
    CHECK(parseOk({"--network", "4294967295"}).dht.networkId == 4294967295u);
    CHECK(parseOk({"--network", "0"}).dht.networkId == 0);
}

TEST_CASE("a network id that is not a 32-bit number is an error", "[proxy][options]") {
    for (const char* value : {"", "abc", "0x", "0xg1", "-1", "4294967296", "0x100000000", "12abc", "1.5"}) {
        CAPTURE(value);
        CHECK(errorOf({"--network", value}) == Errc::Invalid);
    }
}

TEST_CASE("the public network option joins network 0 through the public bootstrap node", "[proxy][options]") {
    const auto o = parseOk({"--public"});
    CHECK(o.dht.networkId == 0);
    CHECK(o.dht.bootstrap == std::vector<std::string>{"bootstrap.jami.net:4222"});
    CHECK_FALSE(o.proxy.standalone);
}

TEST_CASE("the public network option keeps explicit bootstrap nodes and accepts network 0", "[proxy][options]") {
    const auto o = parseOk({"--bootstrap", "peer.example:4222", "--public"});
    CHECK(o.dht.networkId == 0);
    CHECK(o.dht.bootstrap == std::vector<std::string>{"peer.example:4222"});
    CHECK(parseOk({"--public", "--network", "0"}).dht.networkId == 0);
}

TEST_CASE("the public network option with a non-zero network id is an error", "[proxy][options]") {
    CHECK(errorOf({"--public", "--network", "5"}) == Errc::Invalid);
    CHECK(errorOf({"--network", "5", "--public"}) == Errc::Invalid);
}

TEST_CASE("the inbox key scheme is lanes unless told, and the public network keeps lanes", "[proxy][options]") {
    using dhtpush::node::InboxKeyScheme;
    CHECK(parseOk({}).dht.inboxKeys == InboxKeyScheme::Lanes);
    CHECK(parseOk({"--inbox-keys", "wide"}).dht.inboxKeys == InboxKeyScheme::Wide);
    CHECK(parseOk({"--inbox-keys", "single"}).dht.inboxKeys == InboxKeyScheme::Single);
    CHECK(parseOk({"--public", "--inbox-keys", "lanes"}).dht.inboxKeys == InboxKeyScheme::Lanes);
    CHECK(errorOf({"--inbox-keys", "many"}) == Errc::Invalid);
    CHECK(errorOf({"--public", "--inbox-keys", "single"}) == Errc::Invalid);
}

TEST_CASE("an unknown option is an error", "[proxy][options]") {
    for (const char* arg : {"--unknown", "-x", "positional", "--http-port=", ""}) {
        CAPTURE(arg);
        CHECK(errorOf({arg}) == Errc::Invalid);
    }
}

TEST_CASE("an option's value may follow it after '='", "[proxy][options]") {
    CHECK(parseOk({"--http-port=9090"}).proxy.httpPort == 9090);
    CHECK(parseOk({"--bootstrap=a:1", "--bootstrap", "b:2"}).dht.bootstrap == std::vector<std::string>{"a:1", "b:2"});
}

TEST_CASE("nodeUsage gives each option's default", "[proxy][options]") {
    const auto usage = nodeUsage();
    for (const char* shown : {"--http-port PORT=8080", "--dht-port PORT=4222", "--inboxes N=16", "--max-ttl SEC=604800",
                              "--log-level LEVEL=info", "--network ID=0x64687470", "--post-rate-per-subscription N=10"}) {
        CAPTURE(shown);
        CHECK(usage.find(shown) != std::string::npos);
    }
}

TEST_CASE("an option without its value is an error", "[proxy][options]") {
    for (const char* option : {"--data-dir", "--http-address", "--http-port", "--public-url", "--dht-address",
                               "--dht-port", "--bootstrap", "--network", "--value-expiration", "--max-ttl",
                               "--mailbox-size", "--mailbox-bytes", "--subscription-messages",
                               "--subscription-bytes", "--held-mib", "--inboxes", "--max-publish-keys", "--keep-alive"}) {
        CAPTURE(option);
        CHECK(errorOf({option}) == Errc::Invalid);
        CHECK(errorOf({"--local-network", option}) == Errc::Invalid);
    }
}

TEST_CASE("a port that is not a number from 0 to 65535 is an error", "[proxy][options]") {
    for (const char* option : {"--http-port", "--dht-port"}) {
        for (const char* value : {"abc", "", "-1", "65536", "80x", " 80", "8080.0"}) {
            CAPTURE(option, value);
            CHECK(errorOf({option, value}) == Errc::Invalid);
        }
    }
    CHECK(parseOk({"--http-port", "65535"}).proxy.httpPort == 65535);
}

TEST_CASE("numeric options reject non-numbers", "[proxy][options]") {
    for (const char* option : {"--max-ttl", "--mailbox-size", "--mailbox-bytes", "--subscription-messages",
                               "--subscription-bytes", "--held-mib", "--inboxes", "--max-publish-keys", "--value-expiration",
                               "--keep-alive", "--max-clock-skew", "--connections-per-ip", "--tls-handshake-timeout",
                               "--max-devices", "--max-subscriptions", "--max-listens", "--max-streams-per-device", "--attach-rate", "--subscribe-rate", "--post-rate-per-ip", "--post-rate-per-subscription", "--post-rate-per-vapid-key", "--max-publish-keys-per-ip", "--stream-rate", "--inbox-keys"}) {
        CAPTURE(option);
        CHECK(errorOf({option, "ten"}) == Errc::Invalid);
        CHECK(errorOf({option, "-5"}) == Errc::Invalid);
    }
}

TEST_CASE("the DHT storage options stay within what OpenDHT can hold", "[proxy][options]") {
    CHECK(parseOk({}).dht.storage.maxBytes == std::size_t{512} << 20);
    CHECK(parseOk({}).dht.storage.maxValuesPerKey == 60000);
    CHECK(parseOk({"--dht-storage-mib", "1984"}).dht.storage.maxBytes == std::size_t{1984} << 20);
    for (const char* value : {"0", "1985", "ten", "-1"}) {
        CAPTURE(value);
        CHECK(errorOf({"--dht-storage-mib", value}) == Errc::Invalid);
    }
    CHECK(parseOk({"--dht-values-per-key", "65536"}).dht.storage.maxValuesPerKey == 65536);
    CHECK(errorOf({"--dht-values-per-key", "65537"}) == Errc::Invalid);
    CHECK(errorOf({"--dht-values-per-key", "0"}) == Errc::Invalid);
}

TEST_CASE("the --held-mib option takes 0 (nothing held) up to 4096 MiB", "[proxy][options]") {
    CHECK(parseOk({}).proxy.heldBytes == std::size_t{32} << 20);
    CHECK(parseOk({"--held-mib", "0"}).proxy.heldBytes == 0);
    CHECK(parseOk({"--held-mib", "4096"}).proxy.heldBytes == std::size_t{4096} << 20);
    CHECK(errorOf({"--held-mib", "4097"}) == Errc::Invalid);
}

TEST_CASE("the --inboxes option takes 0 (version-1 tokens) up to 4096", "[proxy][options]") {
    CHECK(parseOk({}).proxy.inboxes == 16);
    CHECK(parseOk({"--inboxes", "0"}).proxy.inboxes == 0);
    CHECK(parseOk({"--inboxes", "4096"}).proxy.inboxes == 4096);
    CHECK(errorOf({"--inboxes", "4097"}) == Errc::Invalid);
}

TEST_CASE("a keep-alive or value expiration of 0 seconds is rejected", "[proxy][options]") {
    CHECK(errorOf({"--keep-alive", "0"}) == Errc::Invalid);
    CHECK(errorOf({"--value-expiration", "0"}) == Errc::Invalid);
    CHECK(parseOk({"--keep-alive", "1"}).proxy.keepAlive == std::chrono::seconds(1));
}

TEST_CASE("nodeUsage mentions every option", "[proxy][options]") {
    const auto usage = nodeUsage();
    for (const char* option : {"--data-dir", "--http-address", "--http-port", "--public-url", "--dht-address",
                               "--dht-port", "--bootstrap", "--network", "--public", "--value-expiration",
                               "--max-ttl", "--mailbox-size", "--mailbox-bytes", "--subscription-messages",
                               "--subscription-bytes", "--held-mib", "--inboxes", "--keep-alive", "--local-network", "--help",
                               "--version", "--max-clock-skew", "--connections-per-ip", "--tls-handshake-timeout",
                               "--max-devices", "--max-subscriptions", "--max-listens", "--max-streams-per-device", "--attach-rate", "--subscribe-rate", "--post-rate-per-ip", "--post-rate-per-subscription", "--post-rate-per-vapid-key", "--max-publish-keys-per-ip", "--stream-rate", "--inbox-keys"}) {
        CAPTURE(option);
        CHECK(usage.find(option) != std::string::npos);
        // And every option the usage names is one the parser knows (no stale help text).
        const bool needsValue = std::string(option) != "--public" && std::string(option) != "--local-network" &&
                                std::string(option) != "--help" && std::string(option) != "--version";
        if (needsValue) {
            const std::string value =
                std::string(option) == "--inbox-keys" ? "single"
                : std::string(option) == "--keep-alive" || std::string(option) == "--value-expiration" ? "5"
                                                                                                         : "1";
            CHECK(parseNodeOptions({option, value}).ok());
        } else {
            CHECK(parseNodeOptions({option}).ok());
        }
    }
}

// Known product bug: --max-ttl is not bounded by the envelope's MAX_TTL_SECONDS (28 days). With
// --max-ttl 3000000 a request with TTL 3000000 gets 201, but every DHT node refuses to store the
// envelope (push_value_type.cpp) and every watcher drops it (decodeEnvelope: TTL above maximum).
//  keeps the suite green while the bug exists and turns red once it is fixed.
TEST_CASE("a maximum TTL above the envelope maximum is rejected or capped (known bug)",
          "[proxy][options]") {
    const auto o = parseNodeOptions({"--max-ttl", "3000000"});
    CHECK((!o.ok() || o->proxy.maxTtlSeconds <= dhtpush::node::MAX_TTL_SECONDS));
}

TEST_CASE("HTTPS is off by default and on with a certificate and key", "[proxy][options]") {
    CHECK_FALSE(parseOk({}).proxy.https.enabled());
    const auto on = parseOk({"--tls-cert", "cert.pem", "--tls-key", "key.pem", "--http-address", "0.0.0.0"});
    CHECK(on.proxy.https.enabled());
    CHECK(on.proxy.https.certFile == "cert.pem");
    CHECK(on.proxy.https.keyFile == "key.pem");
    CHECK(on.proxy.https.port == 8443);
    CHECK(on.proxy.https.address == "0.0.0.0");
    CHECK(on.proxy.httpPort == 8080);  // plain HTTP stays on
    const auto chosen = parseOk({"--https-port", "0", "--https-address", "::1", "--tls-cert", "c", "--tls-key", "k"});
    CHECK(chosen.proxy.https.port == 0);
    CHECK(chosen.proxy.https.address == "::1");
}

TEST_CASE("HTTPS options without a certificate and key are refused", "[proxy][options]") {
    CHECK(errorOf({"--tls-cert", "cert.pem"}) == Errc::Invalid);
    CHECK(errorOf({"--tls-key", "key.pem"}) == Errc::Invalid);
    CHECK(errorOf({"--https-port", "8443"}) == Errc::Invalid);
    CHECK(errorOf({"--https-address", "0.0.0.0"}) == Errc::Invalid);
    CHECK(errorOf({"--https-port", "https", "--tls-cert", "c", "--tls-key", "k"}) == Errc::Invalid);
    CHECK(errorOf({"--tls-cert"}) == Errc::Invalid);
}

TEST_CASE("the invite secret is read from a file, never given on the command line", "[proxy][options]") {
    const dhtpush::test::TempDir dir;
    const auto path = (dir.path() / "invite").string();
    std::ofstream(path) << "a long enough invite secret\n";
    CHECK(parseOk({"--invite-secret-file", path}).proxy.inviteSecret == "a long enough invite secret");
    std::ofstream(path) << "short\n";
    CHECK(errorOf({"--invite-secret-file", path}) == Errc::Invalid);
    CHECK(errorOf({"--invite-secret-file", (dir.path() / "missing").string()}) == Errc::Invalid);
}
