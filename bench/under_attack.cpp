#include "under_attack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <optional>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "acking_device.h"
#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/node/json.h"
#include "keyed_device.h"
#include "own_process.h"
#include "proxy_fixture.h"
#include "raw_http.h"
#include "sample_clock.h"
#include "self_signed_certificate.h"
#include "stats.h"
#include "temp_dir.h"

extern char** environ;

namespace dhtpush::bench {
namespace {

constexpr std::size_t HONEST_KEYS = 64;  // spread over subscriptions: under their per-token rate
constexpr auto SAMPLE_TIMEOUT = std::chrono::seconds(5);

template <class T>
T required(Expected<T> value, const char* what) {
    if (!value) throw std::runtime_error(std::string(what) + ": " + value.error().detail);
    return std::move(*value);
}

// A VAPID header that parses, names the app server's key and fails only at the signature:
// the most a forger can make a proxy spend. A new exp each time makes a new header.
std::string forgedProof(const std::string& appKey, std::uint64_t n) {
    const auto header = crypto::base64urlEncode(std::string(R"({"typ":"JWT","alg":"ES256"})"));
    const auto claims = crypto::base64urlEncode(R"({"aud":"https://a.example","exp":)" +
                                                std::to_string(std::time(nullptr) + 3600 + static_cast<long>(n % 80000)) +
                                                R"(,"sub":"mailto:a@b.c"})");
    return "vapid t=" + header + "." + claims + "." + crypto::base64urlEncode(crypto::randomBytes(64)) + ", k=" + appKey;
}

// An attack on its own threads between start() and stop(), as often as asked: each thread
// repeats step() until stop(). Counts what it sent over all its runs. A subclass's destructor
// calls stop() first: the steps use its members.
class Attack {
public:
    virtual ~Attack() = default;
    void start() {
        stopping_ = false;
        onStart();
        for (int t = 0; t < threadCount(); ++t)
            threads_.emplace_back([this] {
                lowestPriorityForThisThread();  // the attacker's machine, not the node's
                while (!stopping_) step();
            });
    }
    void stop() {
        stopping_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
        onStopped();
    }
    virtual Json::Value stats() const = 0;

protected:
    virtual int threadCount() const { return 4; }
    virtual void onStart() {}
    virtual void step() = 0;
    virtual void onStopped() {}
    bool stopping() const { return stopping_; }

private:
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

class ForgedEnvelopes : public Attack {
public:
    ForgedEnvelopes(const test::LocalDhtNetwork& network, const test::KeyedDevice& victim, std::string appKey)
        : peer_(network.join()),
          token_(*crypto::SubscriptionToken::parse(victim.subscription.token)),
          body_(victim.seal("forged")),
          appKey_(std::move(appKey)) {}
    ~ForgedEnvelopes() override { stop(); }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["forged_envelopes_sent"] = Json::UInt64(sent_.load());
        return v;
    }

private:
    int threadCount() const override { return 1; }
    void onStart() override { next_ = std::chrono::steady_clock::now(); }
    void step() override {
        auto envelope = node::Envelope::create(600, node::Urgency::Normal, "", "aes128gcm", body_);
        envelope.vapid = forgedProof(appKey_, sent_);
        peer_->publish(token_.dhtKey(), token_.recipient(), envelope, {});
        ++sent_;
        // Paced at 4,000/s, the rate that saturated a node before proofs were budgeted.
        next_ += std::chrono::microseconds(250);
        std::this_thread::sleep_until(next_);  // pacing of the load, not synchronisation
    }

    std::unique_ptr<node::DhtNode> peer_;
    crypto::SubscriptionToken token_;
    crypto::Bytes body_;
    std::string appKey_;
    std::chrono::steady_clock::time_point next_;
    std::atomic<std::uint64_t> sent_{0};
};

class PostFlood : public Attack {
public:
    explicit PostFlood(std::string endpoint) : endpoint_(std::move(endpoint)) {}
    ~PostFlood() override { stop(); }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["flood_posts_accepted"] = Json::UInt64(accepted_.load());
        v["flood_posts_refused"] = Json::UInt64(refused_.load());
        return v;
    }

private:
    void step() override {
        auto response = client::httpRequest({"POST", endpoint_, {"TTL: 600"}, "flood"});
        ++(response && response->status == 201 ? accepted_ : refused_);
    }

    std::string endpoint_;
    std::atomic<std::uint64_t> accepted_{0}, refused_{0};
};

// TCP connections that never start TLS, held by a process of their own (`idle-connections`,
// bench/idle_connections.h) at the lowest priority, started again for each attacked phase.
class IdleTls : public Attack {
public:
    IdleTls(std::uint16_t port, std::size_t count) : port_(port), count_(count) {}
    ~IdleTls() override { stop(); }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["idle_connections"] = Json::UInt64(count_);
        v["idle_connections_opened"] = Json::UInt64(opened_);
        return v;
    }

private:
    int threadCount() const override { return 0; }  // the child process is the attack
    void step() override {}
    void onStart() override {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        const std::string port = std::to_string(port_), count = std::to_string(count_);
        std::vector<char*> argv{const_cast<char*>("dhtpush-bench"), const_cast<char*>("idle-connections"),
                                const_cast<char*>("--port"), const_cast<char*>(port.c_str()),
                                const_cast<char*>("--count"), const_cast<char*>(count.c_str()), nullptr};
        const int rc = posix_spawn(&child_, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        if (rc != 0) {
            ::close(in[1]);
            ::close(out[0]);
            throw std::runtime_error("cannot start idle-connections");
        }
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(child_), 19);
        toChild_ = in[1];
        fromChild_ = out[0];
    }
    void onStopped() override {
        if (child_ <= 0) return;
        ::close(toChild_);  // the child's cue to close its connections and report
        std::string report;
        char buffer[256];
        for (ssize_t n; (n = ::read(fromChild_, buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
        ::close(fromChild_);
        ::waitpid(child_, nullptr, 0);
        child_ = -1;
        if (const auto parsed = node::parseJson(report)) opened_ += (*parsed)["opened"].asUInt64();
    }

    std::uint16_t port_;
    std::size_t count_;
    pid_t child_ = -1;
    int toChild_ = -1, fromChild_ = -1;
    std::uint64_t opened_ = 0;
};

// A reconnect storm: `devices` devices, each with a backlog of `backlog` messages it never
// acks, reopen their event streams as fast as 4 threads can, from 127.0.0.2 up: each opening
// makes the node read and send the whole backlog (what many devices coming back after a
// network blip, or a client stuck in a reconnect loop, cost).
class ReconnectStorm : public Attack {
public:
    ReconnectStorm(const std::string& url, std::size_t devices, std::size_t backlog)
        : port_(test::portOf(url)), backlog_(backlog) {
        std::vector<std::string> endpoints;
        for (std::size_t d = 0; d < devices; ++d) {
            devices_.push_back(required(client::attachDevice(url), "attach"));
            endpoints.push_back(url + "/wp/" + required(client::addSubscription(devices_.back(), ""), "subscribe").token);
        }
        // The backlogs from 4 threads, a device each in turn: one after the other, each POST
        // waiting for its message to be on disk, they took most of a minute.
        client::PushOptions options;
        options.ttlSeconds = 600;
        std::atomic<std::size_t> next{0}, failed{0};
        std::vector<std::thread> senders;
        for (int t = 0; t < 4; ++t)
            senders.emplace_back([&] {
                for (auto d = next++; d < endpoints.size(); d = next++)
                    for (std::size_t m = 0; m < backlog; ++m)
                        if (!client::sendPush(endpoints[d], "backlog", options)) ++failed;
            });
        for (auto& sender : senders) sender.join();
        if (failed) throw std::runtime_error(std::to_string(failed.load()) + " backlog messages not stored");
    }
    ~ReconnectStorm() override { stop(); }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["storm_devices"] = Json::UInt64(devices_.size());
        v["storm_backlog"] = Json::UInt64(backlog_);
        v["storm_streams_opened"] = Json::UInt64(opened_.load());
        v["storm_streams_refused"] = Json::UInt64(refused_.load());
        v["storm_events_read"] = Json::UInt64(events_.load());
        return v;
    }

private:
    void step() override { reopen(next_++ % devices_.size()); }
    void reopen(std::size_t d) {
        const auto& device = devices_[d];
        try {
            test::RawConnection stream("127.0.0." + std::to_string(2 + d % 79), port_);
            stream.send("GET /v1/devices/" + device.deviceId + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Accept: text/event-stream\r\nAuthorization: Bearer " + device.secret + "\r\n\r\n");
            const auto events = [](const std::string& text) {
                std::size_t n = 0;
                for (auto at = text.find("\nid:"); at != std::string::npos; at = text.find("\nid:", at + 1)) ++n;
                return n;
            };
            const auto served = [](const std::string& text) { return text.rfind("HTTP/1.1 200", 0) == 0; };
            const auto read = stream.readUntil(
                [&](const std::string& text) {
                    if (text.find("\r\n\r\n") == std::string::npos) return false;
                    return !served(text) || events(text) >= backlog_;  // a refusal: its head is enough
                },
                std::chrono::seconds(2));
            if (!served(read)) {
                ++refused_;
                return;
            }
            ++opened_;
            events_ += events(read);
        } catch (const std::runtime_error&) {
            // refused (too many connections from that address): the next one
        }
    }

    std::uint16_t port_;
    std::size_t backlog_;
    std::vector<client::ProxyAccount> devices_;
    std::atomic<std::size_t> next_{0};
    std::atomic<std::uint64_t> opened_{0}, refused_{0}, events_{0};
};

// /health probed every 20 ms on its own thread: milliseconds per answer (an unanswered probe
// counts as its 5 s timeout).
class HealthProbe {
public:
    explicit HealthProbe(std::string url) {
        thread_ = std::thread([this, url = std::move(url)] {
            while (!stop_) {
                const auto start = std::chrono::steady_clock::now();
                auto response = client::httpRequest({"GET", url + "/health", {}, {}});
                const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
                {
                    std::lock_guard<std::mutex> lock(mutex_);
                    samples_.push_back(response && response->status == 200 ? took.count() : 5000.0);
                }
                test::waitUntil([this] { return stop_.load(); }, std::chrono::milliseconds(20));
            }
        });
    }
    ~HealthProbe() { stopped(); }
    std::size_t count() {
        std::lock_guard<std::mutex> lock(mutex_);
        return samples_.size();
    }
    std::vector<double> stopped() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        std::lock_guard<std::mutex> lock(mutex_);
        return samples_;
    }

private:
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<double> samples_;
    std::thread thread_;
};

// The honest device on proxy A: plain messages whose body is the sample id.
class HonestDevice {
public:
    explicit HonestDevice(const std::string& proxyUrl) : account_(required(client::attachDevice(proxyUrl), "attach")) {
        for (std::size_t k = 0; k < HONEST_KEYS; ++k)
            endpoints_.push_back(proxyUrl + "/wp/" + required(client::addSubscription(account_, ""), "subscribe").token);
        device_ = std::make_unique<AckingDevice>(account_, [this](const node::DeliveredMessage& m) {
            clock.arrived(std::stol(std::string(m.envelope.body.begin(), m.envelope.body.end())));
        });
    }
    // Milliseconds from the POST to the event, or nullopt when it was refused or lost.
    std::optional<double> sample(long id) {
        clock.start(id);
        client::PushOptions options;
        options.ttlSeconds = 60;
        if (!client::sendPush(endpoints_[static_cast<std::size_t>(id) % endpoints_.size()], std::to_string(id), options))
            return std::nullopt;
        return clock.wait(SAMPLE_TIMEOUT);
    }

private:
    SampleClock clock;
    client::ProxyAccount account_;
    std::vector<std::string> endpoints_;
    std::unique_ptr<AckingDevice> device_;  // last: it stops before the clock goes
};

// The samples of one condition (attacked or not), pooled over the rounds.
struct Phase {
    std::vector<double> honest;
    std::vector<double> health;
    std::size_t lost = 0;
};

// `count` honest messages one after the other while /health is probed; the probes go on
// (at most 10 s more) until there are `probes` of them.
void sample(HonestDevice& honest, long& nextId, std::size_t count, const std::string& url, std::size_t probes, Phase& into) {
    HealthProbe probe(url);
    for (std::size_t i = 0; i < count; ++i) {
        if (auto ms = honest.sample(nextId++)) into.honest.push_back(*ms);
        else ++into.lost;
    }
    test::waitUntil([&] { return probe.count() >= probes; }, std::chrono::seconds(10));
    const auto probed = probe.stopped();
    into.health.insert(into.health.end(), probed.begin(), probed.end());
}

}  // namespace

Json::Value runUnderAttack(const AttackRun& run) {
    std::cerr << "under attack: " << run.kind << ", " << run.samples << " honest messages in " << run.rounds
              << " rounds..." << std::endl;
    test::TempDir dir;
    const test::SelfSignedCertificate certificate(dir.path().string());
    const ThreadMark beforeNetwork;
    test::LocalDhtNetwork network(10);
    auto world = beforeNetwork.startedSince();
    proxy::ProxyConfig config;  // the shipped limits
    config.https.certFile = certificate.certFile;
    config.https.keyFile = certificate.keyFile;
    test::RunningProxy proxy(network, config);
    const auto appServer = test::newVapidKeys();
    const auto url = proxy.httpUrl();  // the HTTPS listener is the idle attack's target
    const test::KeyedDevice victim(url, appServer.publicKey);
    HonestDevice honest(url);
    long nextId = -20;
    while (nextId < 0) honest.sample(nextId++);

    std::unique_ptr<Attack> attack;
    const ThreadMark beforeAttack;
    if (run.kind == "forged") attack = std::make_unique<ForgedEnvelopes>(network, victim, appServer.publicKey);
    else if (run.kind == "flood") attack = std::make_unique<PostFlood>(victim.endpointOn(url));
    else if (run.kind == "idle-tls")
        attack = std::make_unique<IdleTls>(static_cast<std::uint16_t>(std::stoi(proxy.httpsUrl().substr(proxy.httpsUrl().rfind(':') + 1))),
                                           run.idleConnections);
    else if (run.kind == "reconnect")
        attack = std::make_unique<ReconnectStorm>(url, run.stormDevices, run.stormBacklog);
    else if (run.kind != "none") throw std::runtime_error("unknown attack '" + run.kind + "'");
    for (const auto tid : beforeAttack.startedSince()) world.insert(tid);
    const auto lowered = lowestPriority(world);

    // Rounds of (no attack, attack) on the same node: the machine's own noise (the disk's
    // fsync above all) moves a p99 by 2-3x between runs, and falls on both sides alike here.
    const std::size_t rounds = std::max<std::size_t>(1, run.rounds);
    const std::size_t perRound = std::max<std::size_t>(1, run.samples / rounds);
    const std::size_t probesPerRound = (run.probes + rounds - 1) / rounds;
    Phase quiet, attacked;
    for (std::size_t r = 0; r < rounds; ++r) {
        sample(honest, nextId, perRound, url, probesPerRound, quiet);
        const auto descriptors = openDescriptors();
        if (attack) {
            attack->start();
            // Let the attack reach its pace before sampling.
            test::waitUntil([] { return false; }, std::chrono::milliseconds(1000));
        }
        sample(honest, nextId, perRound, url, probesPerRound, attacked);
        if (attack) attack->stop();
        // The next quiet phase starts once the node has closed its ends of the attack's
        // connections (at most 30 s): until then it may still be busy with the attack. It sees
        // that a device closed an event stream at the stream's next keep-alive write or so.
        test::waitUntil([&] { return openDescriptors() <= descriptors + 16; }, std::chrono::seconds(30));
    }
    Json::Value result(Json::objectValue);
    result["attack"] = run.kind;
    result["rounds"] = Json::UInt64(rounds);
    result["honest_ms"] = toJson(summarize(attacked.honest));
    result["health_ms"] = toJson(summarize(attacked.health));
    result["lost"] = Json::UInt64(attacked.lost);
    result["quiet_honest_ms"] = toJson(summarize(quiet.honest));
    result["quiet_health_ms"] = toJson(summarize(quiet.health));
    result["quiet_lost"] = Json::UInt64(quiet.lost);
    result["world_threads_lowered"] = Json::UInt64(lowered);
    if (attack) result["load"] = attack->stats();
    auto health = client::httpRequest({"GET", url + "/health", {}, {}});
    if (health && health->status == 200) result["health"] = *node::parseJson(health->body);
    return result;
}

}  // namespace dhtpush::bench
