// The dhtpush command line's parsing: what is bad usage (exit 2) before any network is touched.
#include "cli.h"
#include "dht_send.h"

#include <atomic>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using dhtpush::client::runCli;

namespace {

struct CliRun {
    int code;
    std::string out, err;
};

CliRun run(const std::vector<std::string>& args) {
    const std::atomic<bool> stop{true};
    std::ostringstream out, err;
    auto* oldOut = std::cout.rdbuf(out.rdbuf());
    auto* oldErr = std::cerr.rdbuf(err.rdbuf());
    const int code = runCli(args, stop);
    std::cout.rdbuf(oldOut);
    std::cerr.rdbuf(oldErr);
    return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("dhtpush --help lists every command and option with its default", "[client][options]") {
    for (const auto& args : {std::vector<std::string>{"--help"}, {"help"}}) {
        const auto r = run(args);
        CHECK(r.code == 0);
        for (const char* shown : {"subscribe", "--proxy URL", "--vapid-key", "unsubscribe", "listen", "--count N=0",
                                  "send", "--ttl SEC=2419200", "--urgency", "--topic", "--p256dh", "--auth",
                                  "--subscription FILE", "--vapid FILE", "--subject", "keygen", "--out FILE",
                                  "apps", "--state FILE", "--cacert FILE"}) {
            CAPTURE(args, shown);
            CHECK(r.out.find(shown) != std::string::npos);
        }
    }
}

TEST_CASE("dhtpush COMMAND --help is that command's help", "[client][options]") {
    const auto r = run({"send", "--help"});
    CHECK(r.code == 0);
    for (const char* shown : {"--ttl SEC=2419200", "--urgency", "--topic", "--subscription FILE", "--vapid FILE"}) {
        CAPTURE(shown);
        CHECK(r.out.find(shown) != std::string::npos);
    }
    CHECK(r.out.find("--proxy") == std::string::npos);
}

TEST_CASE("bad usage of dhtpush is exit code 2 with a message", "[client][options]") {
    const std::vector<std::vector<std::string>> bad{
        {},
        {"frobnicate"},
        {"subscribe"},                                       // no --proxy
        {"unsubscribe"},                                     // no token
        {"unsubscribe", "a", "b"},                           // two
        {"listen", "--count", "-1"},                         // not a count
        {"listen", "--count", "ten"},
        {"listen", "--bogus"},
        {"send", "https://x/wp/t"},                          // no message
        {"send", "https://x/wp/t", "hi", "--ttl", "-5"},     // negative TTL
        {"send", "https://x/wp/t", "hi", "--urgency", "urgent"},
        {"send", "https://x/wp/t", "hi", "--p256dh", "k"},   // half a key set
        {"send", "https://x/wp/t", "hi", "--vapid", "f"},    // no subject
        {"send", "a", "b", "c"},
        {"vapid"},
        {"vapid", "frob"},
    };
    for (const auto& args : bad) {
        CAPTURE(args);
        const auto r = run(args);
        CHECK(r.code == 2);
        CHECK(r.err.rfind("dhtpush: ", 0) == 0);
    }
}

TEST_CASE("send --dht makes the envelope a node would make of the same POST", "[client][options]") {
    dhtpush::client::PushOptions options;
    options.ttlSeconds = 300;
    options.urgency = "high";
    options.topic = "news";
    const auto plain = dhtpush::client::envelopeForEndpoint("http://127.0.0.1:8080/wp/AXo_tKy6cLTTPlKzZtkdm_o", "hello",
                                                            options, 1795647600123);
    REQUIRE(plain.ok());
    CHECK(plain->ttlSeconds == 300);
    CHECK(plain->urgency == dhtpush::node::Urgency::High);
    CHECK(plain->topic == "news");
    CHECK(plain->createdMs == 1795647600123);
    CHECK(plain->encoding.empty());
    CHECK(std::string(plain->body.begin(), plain->body.end()) == "hello");
    CHECK(plain->id.size() == dhtpush::node::MESSAGE_ID_BYTES);
    // Encrypted for the subscription's keys and signed: the coding and the Authorization value travel.
    options.p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    options.auth = "BTBZMqHH6r4Tts7J_aSIgg";
    options.vapid = *dhtpush::crypto::generateVapidKeys();
    options.vapidSubject = "mailto:ops@example.com";
    const auto sealed = dhtpush::client::envelopeForEndpoint("http://127.0.0.1:8080/wp/AXo_tKy6cLTTPlKzZtkdm_o", "hello",
                                                             options, 1795647600123);
    REQUIRE(sealed.ok());
    CHECK(sealed->encoding == "aes128gcm");
    CHECK(sealed->vapid.rfind("vapid t=", 0) == 0);
    options.ttlSeconds = dhtpush::node::MAX_TTL_SECONDS + 1;
    CHECK_FALSE(dhtpush::client::envelopeForEndpoint("http://127.0.0.1:8080/wp/AXo_tKy6cLTTPlKzZtkdm_o", "x", options, 0).ok());
}
