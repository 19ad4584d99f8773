#include "under_attack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
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
#include "proxy_fixture.h"
#include "raw_http.h"
#include "sample_clock.h"
#include "self_signed_certificate.h"
#include "stats.h"
#include "temp_dir.h"

namespace dhtpush::bench {
namespace {

constexpr std::size_t HONEST_KEYS = 64;  // spread over subscriptions: under their per-token rate
constexpr auto SAMPLE_TIMEOUT = std::chrono::seconds(5);
constexpr std::size_t HEALTH_PROBES = 200;

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

// The attack, on its own threads until stop(); counts what it sent.
class Attack {
public:
    virtual ~Attack() = default;
    virtual void stop() = 0;
    virtual Json::Value stats() const = 0;
};

class ForgedEnvelopes : public Attack {
public:
    ForgedEnvelopes(const test::LocalDhtNetwork& network, const test::KeyedDevice& victim, std::string appKey)
        : peer_(network.join()) {
        const auto token = *crypto::SubscriptionToken::parse(victim.subscription.token);
        const auto body = victim.seal("forged");
        thread_ = std::thread([this, token, body, appKey = std::move(appKey)] {
            // Paced at 4,000/s, the rate that saturated a node before proofs were budgeted.
            auto next = std::chrono::steady_clock::now();
            for (std::uint64_t n = 0; !stop_; ++n) {
                auto envelope = node::Envelope::create(600, node::Urgency::Normal, "", "aes128gcm", body);
                envelope.vapid = forgedProof(appKey, n);
                peer_->publish(token.dhtKey(), token.recipient(), envelope, {});
                ++sent_;
                next += std::chrono::microseconds(250);
                std::this_thread::sleep_until(next);  // pacing of the load, not synchronisation
            }
        });
    }
    ~ForgedEnvelopes() override { stop(); }
    void stop() override {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["forged_envelopes_sent"] = Json::UInt64(sent_.load());
        return v;
    }

private:
    std::unique_ptr<node::DhtNode> peer_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> sent_{0};
    std::thread thread_;
};

// An attack of 4 threads, each repeating one step until stop(). A subclass's destructor calls
// stop() first: the steps use its members.
class ThreadedAttack : public Attack {
public:
    void stop() override {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }

protected:
    void start(const std::function<void()>& step) {
        for (int t = 0; t < 4; ++t)
            threads_.emplace_back([this, step] {
                while (!stop_) step();
            });
    }

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

class PostFlood : public ThreadedAttack {
public:
    explicit PostFlood(std::string endpoint) {
        start([this, endpoint] {
            auto response = client::httpRequest({"POST", endpoint, {"TTL: 600"}, "flood"});
            ++(response && response->status == 201 ? accepted_ : refused_);
        });
    }
    ~PostFlood() override { stop(); }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["flood_posts_accepted"] = Json::UInt64(accepted_.load());
        v["flood_posts_refused"] = Json::UInt64(refused_.load());
        return v;
    }

private:
    std::atomic<std::uint64_t> accepted_{0}, refused_{0};
};

// TCP connections that never start TLS, from 127.0.0.2 up; each one the node closes is
// opened again, so the node always faces about `count` of them.
class IdleTls : public Attack {
public:
    IdleTls(std::uint16_t port, std::size_t count) : port_(port), fds_(count, -1) {
        thread_ = std::thread([this] {
            while (!stop_) {
                for (std::size_t i = 0; i < fds_.size() && !stop_; ++i) {
                    if (fds_[i] >= 0 && !closedByPeer(fds_[i])) continue;
                    if (fds_[i] >= 0) ::close(fds_[i]);
                    fds_[i] = open(i);
                    if (fds_[i] >= 0) ++opened_;
                }
                test::waitUntil([this] { return stop_.load(); }, std::chrono::milliseconds(200));
            }
        });
    }
    ~IdleTls() override { stop(); }
    void stop() override {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        for (auto& fd : fds_)
            if (fd >= 0) ::close(fd);
        fds_.assign(fds_.size(), -1);
    }
    Json::Value stats() const override {
        Json::Value v(Json::objectValue);
        v["idle_connections"] = Json::UInt64(fds_.size());
        v["idle_connections_opened"] = Json::UInt64(opened_.load());
        return v;
    }

private:
    int open(std::size_t i) const {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) return -1;
        sockaddr_in from{};
        from.sin_family = AF_INET;
        from.sin_addr.s_addr = htonl(0x7f000002u + static_cast<std::uint32_t>(i % 79));  // 127.0.0.2-80
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port_);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
            (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)) {
            ::close(fd);
            return -1;
        }
        return fd;
    }
    static bool closedByPeer(int fd) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
        char byte;
        return ::recv(fd, &byte, 1, MSG_DONTWAIT) == 0 || (p.revents & (POLLERR | POLLHUP)) != 0;
    }

    std::uint16_t port_;
    std::vector<int> fds_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> opened_{0};
    std::thread thread_;
};

// A reconnect storm: `devices` devices, each with a backlog of `backlog` messages it never
// acks, reopen their event streams as fast as 4 threads can, from 127.0.0.2 up: each opening
// makes the node read and send the whole backlog (what many devices coming back after a
// network blip, or a client stuck in a reconnect loop, cost).
class ReconnectStorm : public ThreadedAttack {
public:
    ReconnectStorm(const std::string& url, std::size_t devices, std::size_t backlog) : backlog_(backlog) {
        client::PushOptions options;
        options.ttlSeconds = 600;
        for (std::size_t d = 0; d < devices; ++d) {
            devices_.push_back(required(client::attachDevice(url), "attach"));
            const auto endpoint = url + "/wp/" + required(client::addSubscription(devices_.back(), ""), "subscribe").token;
            for (std::size_t m = 0; m < backlog; ++m)
                if (!client::sendPush(endpoint, "backlog", options)) throw std::runtime_error("backlog not stored");
        }
        start([this, port = test::portOf(url)] { reopen(port, next_++ % devices_.size()); });
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
    void reopen(std::uint16_t port, std::size_t d) {
        const auto& device = devices_[d];
        try {
            test::RawConnection stream("127.0.0." + std::to_string(2 + d % 79), port);
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

}  // namespace

Json::Value runUnderAttack(const AttackRun& run) {
    std::cerr << "under attack: " << run.kind << ", " << run.samples << " honest messages..." << std::endl;
    test::TempDir dir;
    const test::SelfSignedCertificate certificate(dir.path().string());
    test::LocalDhtNetwork network(10);
    proxy::ProxyConfig config;  // the shipped limits
    config.https.certFile = certificate.certFile;
    config.https.keyFile = certificate.keyFile;
    test::RunningProxy proxy(network, config);
    const auto appServer = test::newVapidKeys();
    const auto url = proxy.httpUrl();  // the HTTPS listener is the idle attack's target
    const test::KeyedDevice victim(url, appServer.publicKey);
    HonestDevice honest(url);
    for (long warm = -20; warm < 0; ++warm) honest.sample(warm);

    std::unique_ptr<Attack> attack;
    if (run.kind == "forged") attack = std::make_unique<ForgedEnvelopes>(network, victim, appServer.publicKey);
    else if (run.kind == "flood") attack = std::make_unique<PostFlood>(victim.endpointOn(url));
    else if (run.kind == "idle-tls")
        attack = std::make_unique<IdleTls>(static_cast<std::uint16_t>(std::stoi(proxy.httpsUrl().substr(proxy.httpsUrl().rfind(':') + 1))),
                                           run.idleConnections);
    else if (run.kind == "reconnect")
        attack = std::make_unique<ReconnectStorm>(url, run.stormDevices, run.stormBacklog);
    else if (run.kind != "none") throw std::runtime_error("unknown attack '" + run.kind + "'");
    // Let the attack reach its pace before sampling.
    test::waitUntil([] { return false; }, std::chrono::milliseconds(attack ? 1000 : 0));

    std::vector<double> samples;
    std::size_t lost = 0;
    HealthProbe probe(url);
    for (std::size_t i = 0; i < run.samples; ++i) {
        if (auto ms = honest.sample(static_cast<long>(i))) samples.push_back(*ms);
        else ++lost;
    }
    // The honest samples take a second or less: the attack goes on until /health has answered
    // enough probes for its p99 (at most 10 s more).
    test::waitUntil([&] { return probe.count() >= HEALTH_PROBES; }, std::chrono::seconds(10));
    Json::Value result(Json::objectValue);
    result["attack"] = run.kind;
    result["honest_ms"] = toJson(summarize(samples));
    result["health_ms"] = toJson(summarize(probe.stopped()));
    result["lost"] = Json::UInt64(lost);
    if (attack) {
        attack->stop();
        result["load"] = attack->stats();
    }
    auto health = client::httpRequest({"GET", url + "/health", {}, {}});
    if (health && health->status == 200) result["health"] = *node::parseJson(health->body);
    return result;
}

}  // namespace dhtpush::bench
