#include "app_hop.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "acking_device.h"
#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/connector/push_connector.h"
#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "dhtpush/node/json.h"
#include "proxy_fixture.h"
#include "sample_clock.h"
#include "stats.h"
#include "temp_dir.h"

extern char** environ;

namespace dhtpush::bench {
namespace {

constexpr auto SAMPLE_TIMEOUT = std::chrono::seconds(5);

// dhtpush-distributor as a process, on the caller's session bus, stopped with SIGTERM.
class DistributorProcess {
public:
    DistributorProcess(const std::vector<std::string>& proxies, const std::string& state) {
        std::vector<std::string> words{DHTPUSH_DISTRIBUTOR_BINARY, "--state", state, "--name", "dhtpushbench"};
        for (const auto& url : proxies) words.insert(words.end(), {"--proxy", url});
        std::vector<char*> argv;
        for (auto& word : words) argv.push_back(word.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot start dhtpush-distributor");
    }
    ~DistributorProcess() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }

private:
    pid_t pid_ = -1;
};

// Sample ids travel as the plaintext.
long sampleId(const std::string& text) { return std::stol(text); }

}  // namespace

Json::Value runAppHop(const AppHopRun& run) {
    std::cerr << "app hop: " << run.samples << " messages each way..." << std::endl;
    if (!std::getenv("DBUS_SESSION_BUS_ADDRESS")) throw std::runtime_error("app-hop needs a session bus (DBUS_SESSION_BUS_ADDRESS)");
    test::TempDir dir;
    test::LocalDhtNetwork network(10);
    // One subscription each way takes more than the per-subscription rate lets through (as in
    // the latency runs, it is lifted: this measures the hop, not the limit).
    proxy::ProxyConfig config;
    config.rates.postsPerSubscription = 0;
    test::RunningProxy proxyA(network, config), proxyB(network, config);
    DistributorProcess distributor({proxyA.httpUrl(), proxyB.httpUrl()}, (dir.path() / "distributor").string());
    const std::string name = "org.unifiedpush.Distributor.dhtpushbench";
    if (!test::waitUntil([&] {
            auto names = connector::listDistributors();
            return names && std::find(names->begin(), names->end(), name) != names->end();
        }, std::chrono::seconds(20)))
        throw std::runtime_error("dhtpush-distributor did not come up on the bus");

    // The app, through the app library.
    SampleClock appClock;
    std::mutex mutex;
    std::string subscription;
    connector::Callbacks callbacks;
    callbacks.onNewEndpoint = [&](const std::string&, const std::string& json) {
        std::lock_guard<std::mutex> lock(mutex);
        subscription = json;
    };
    callbacks.onMessage = [&](const std::string& text, const std::string&) { appClock.arrived(sampleId(text)); };
    ::setenv("UNIFIEDPUSH_DISTRIBUTOR", "dhtpushbench", 1);
    auto app = connector::PushConnector::create("org.dhtpush.BenchApp", (dir.path() / "app").string(), callbacks);
    if (!app) throw std::runtime_error("app library: " + app.error().detail);
    if (auto registered = (*app)->registerApp("", "bench"); !registered)
        throw std::runtime_error("register: " + registered.error().detail);
    if (!test::waitUntil([&] {
            std::lock_guard<std::mutex> lock(mutex);
            return !subscription.empty();
        }, std::chrono::seconds(20)))
        throw std::runtime_error("no endpoint for the app");
    auto parsed = client::parsePushSubscription(subscription);
    if (!parsed) throw std::runtime_error("subscription: " + parsed.error().detail);

    // The device beside it: an event stream on the same proxy, decrypting as the app does.
    auto keys = crypto::generateSubscriptionKeys();
    auto account = client::attachDevice(proxyA.httpUrl());
    if (!keys || !account) throw std::runtime_error("device on the proxy");
    auto created = client::addSubscription(*account, "");
    if (!created) throw std::runtime_error("device subscription: " + created.error().detail);
    SampleClock sseClock;
    AckingDevice device(*account, [&](const node::DeliveredMessage& m) {
        auto text = crypto::webpushDecrypt(m.envelope.body, keys->p256dh, keys->privateKey, keys->auth);
        if (text) sseClock.arrived(sampleId(std::string(text->begin(), text->end())));
    });

    const auto sample = [](SampleClock& clock, long id, const std::string& endpoint, const std::string& p256dh,
                           const std::string& auth) -> std::optional<double> {
        clock.start(id);
        client::PushOptions options;
        options.ttlSeconds = 60;
        options.p256dh = p256dh;
        options.auth = auth;
        if (!client::sendPush(endpoint, std::to_string(id), options)) return std::nullopt;
        return clock.wait(SAMPLE_TIMEOUT);
    };
    std::vector<double> viaApp, viaSse;
    std::size_t lostApp = 0, lostSse = 0;
    for (long i = -10; i < static_cast<long>(run.samples); ++i) {  // 10 to warm up, not counted
        const auto a = sample(appClock, i, parsed->endpoint, parsed->p256dh, parsed->auth);
        const auto s = sample(sseClock, i, created->endpoint, keys->p256dh, keys->auth);
        if (i < 0) continue;
        if (a) viaApp.push_back(*a);
        else ++lostApp;
        if (s) viaSse.push_back(*s);
        else ++lostSse;
    }
    Json::Value result(Json::objectValue);
    result["app_ms"] = toJson(summarize(viaApp));
    result["sse_ms"] = toJson(summarize(viaSse));
    result["app_lost"] = Json::UInt64(lostApp);
    result["sse_lost"] = Json::UInt64(lostSse);
    return result;
}

}  // namespace dhtpush::bench
