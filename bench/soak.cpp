#include "soak.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "acking_device.h"
#include "await.h"
#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"
#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/node/json.h"
#include "stats.h"

namespace dhtpush::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t SUBSCRIPTIONS = 20;
constexpr std::size_t SENDERS = 4;
constexpr std::size_t BODY_BYTES = 200;
constexpr auto HEALTH_PERIOD = std::chrono::milliseconds(100);
constexpr auto RESOURCE_PERIOD = std::chrono::seconds(5);

double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// "<n> xxxx…": the message number first, padded to the body size.
std::string bodyOf(long n) {
    auto body = std::to_string(n) + " ";
    body.resize(std::max(BODY_BYTES, body.size()), 'x');
    return body;
}

std::optional<long> numberOf(std::string_view body) {
    long n = 0;
    const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), n);
    if (ec != std::errc{} || end == body.data()) return std::nullopt;
    return n;
}

long procValue(int pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
    return 0;
}

// The process's CPU time so far (user and system), in clock ticks (/proc/PID/stat fields 14
// and 15, counted after the command name, which may hold spaces).
long cpuTicks(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto end = text.rfind(')');
    if (end == std::string::npos) return 0;
    std::istringstream fields(text.substr(end + 2));
    std::string field;
    long user = 0, system = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14) user = std::atol(field.c_str());
        if (i == 15) {
            system = std::atol(field.c_str());
            break;
        }
    }
    return user + system;
}

long openFiles(int pid) {
    long count = 0;
    if (DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
        while (auto* entry = readdir(dir))
            if (entry->d_name[0] != '.') ++count;
        closedir(dir);
    }
    return count;
}

// What was sent when and what came of it, per message and per bucket of time.
class Ledger {
public:
    struct Bucket {
        std::uint64_t sent{0}, created{0}, refused{0}, failed{0}, delivered{0};
        std::vector<double> deliveryMs, healthMs;
        long rssReceiver{0}, rssSender{0}, fdsReceiver{0}, fdsSender{0};
        long cpuReceiver{-1}, cpuSender{-1};  // CPU ticks so far at the bucket's last sample; -1: none
    };

    // Buckets of `bucket` over `duration`; the last is shorter when `bucket` does not divide it
    // (its rates are over its own length: folded into the one before, a 200 s run's last
    // minute read 1,333 messages/s at 1,000 offered).
    Ledger(std::size_t capacity, Clock::time_point start, std::chrono::seconds bucket, std::chrono::seconds duration)
        : sentAt_(capacity), state_(capacity), start_(start), bucket_(bucket), duration_(duration),
          buckets_(static_cast<std::size_t>(std::max<long>(1, (duration.count() + bucket.count() - 1) / bucket.count()))) {}

    std::size_t capacity() const { return sentAt_.size(); }
    Clock::time_point start() const { return start_; }

    void sent(std::size_t n, Clock::time_point at) {
        sentAt_[n] = at.time_since_epoch().count();
        std::lock_guard<std::mutex> lock(mutex_);
        ++bucketAt(at).sent;
    }
    void answered(std::size_t n, bool created, bool transportFailed) {
        if (created) state_[n] |= CREATED;
        std::lock_guard<std::mutex> lock(mutex_);
        auto& b = bucketAt(sentTime(n));
        (created ? b.created : transportFailed ? b.failed : b.refused)++;
    }
    void delivered(long number, Clock::time_point at) {
        if (number < 0 || static_cast<std::size_t>(number) >= sentAt_.size()) return;
        const auto n = static_cast<std::size_t>(number);
        if (state_[n].fetch_or(DELIVERED) & DELIVERED) {
            ++duplicates_;
            return;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        auto& b = bucketAt(sentTime(n));
        ++b.delivered;
        b.deliveryMs.push_back(msBetween(sentTime(n), at));
    }
    void health(Clock::time_point at, double ms) {
        std::lock_guard<std::mutex> lock(mutex_);
        bucketAt(at).healthMs.push_back(ms);
    }
    void resources(Clock::time_point at, int receiverPid, int senderPid) {
        const auto rssR = procValue(receiverPid, "VmRSS"), rssS = procValue(senderPid, "VmRSS");
        const auto fdsR = openFiles(receiverPid), fdsS = openFiles(senderPid);
        const auto cpuR = cpuTicks(receiverPid), cpuS = cpuTicks(senderPid);
        std::lock_guard<std::mutex> lock(mutex_);
        if (firstCpuReceiver_ < 0) firstCpuReceiver_ = cpuR, firstCpuSender_ = cpuS;
        auto& b = bucketAt(at);
        b.rssReceiver = rssR, b.rssSender = rssS, b.fdsReceiver = fdsR, b.fdsSender = fdsS;
        b.cpuReceiver = cpuR, b.cpuSender = cpuS;
    }
    // Answered 201 and never delivered.
    std::size_t lost(std::size_t sentCount) const {
        std::size_t lost = 0;
        for (std::size_t n = 0; n < sentCount; ++n) lost += (state_[n] & (CREATED | DELIVERED)) == CREATED;
        return lost;
    }
    bool allDelivered(std::size_t sentCount) const { return lost(sentCount) == 0; }
    std::uint64_t duplicates() const { return duplicates_; }

    Json::Value report(double rate, std::size_t sentCount) const {
        std::lock_guard<std::mutex> lock(mutex_);
        Json::Value out(Json::objectValue), rows(Json::arrayValue);
        std::vector<double> allHealth;
        std::uint64_t created = 0, delivered = 0;
        long cpuR = firstCpuReceiver_, cpuS = firstCpuSender_;  // at the previous sample
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            const auto& b = buckets_[i];
            const auto begins = static_cast<long>(i) * bucket_.count();
            const double seconds = static_cast<double>(std::max<long>(1, std::min(bucket_.count(), duration_.count() - begins)));
            Json::Value row(Json::objectValue);
            row["minute"] = (static_cast<double>(begins) + seconds) / 60.0;
            row["sent_per_s"] = static_cast<double>(b.sent) / seconds;
            row["created_per_s"] = static_cast<double>(b.created) / seconds;
            row["refused"] = Json::UInt64(b.refused);
            row["failed"] = Json::UInt64(b.failed);
            row["created"] = Json::UInt64(b.created);
            row["delivered"] = Json::UInt64(b.delivered);
            row["delivery_ms"] = toJson(summarize(b.deliveryMs));
            row["health_ms"] = toJson(summarize(b.healthMs));
            row["rss_receiver_kib"] = Json::Int64(b.rssReceiver);
            row["rss_sender_kib"] = Json::Int64(b.rssSender);
            row["fds_receiver"] = Json::Int64(b.fdsReceiver);
            row["fds_sender"] = Json::Int64(b.fdsSender);
            // CPU per message answered 201 in the bucket: each node handles every one of them.
            if (b.cpuReceiver >= 0 && cpuR >= 0 && b.created) {
                row["cpu_us_per_message_receiver"] = microsPerMessage(b.cpuReceiver - cpuR, b.created);
                row["cpu_us_per_message_sender"] = microsPerMessage(b.cpuSender - cpuS, b.created);
            }
            if (b.cpuReceiver >= 0) cpuR = b.cpuReceiver, cpuS = b.cpuSender;
            rows.append(row);
            allHealth.insert(allHealth.end(), b.healthMs.begin(), b.healthMs.end());
            created += b.created;
            delivered += b.delivered;
        }
        out["rate"] = rate;
        out["bucket_seconds"] = Json::Int64(bucket_.count());
        out["buckets"] = rows;
        std::uint64_t sent = 0;
        for (const auto& b : buckets_) sent += b.sent;
        out["sent"] = Json::UInt64(sent);
        out["created"] = Json::UInt64(created);
        out["delivered"] = Json::UInt64(delivered);
        out["lost"] = Json::UInt64(lost(sentCount));
        out["duplicates"] = Json::UInt64(duplicates_.load());
        out["health_ms"] = toJson(summarize(allHealth));
        if (firstCpuReceiver_ >= 0 && created) {
            out["cpu_us_per_message_receiver"] = microsPerMessage(cpuR - firstCpuReceiver_, created);
            out["cpu_us_per_message_sender"] = microsPerMessage(cpuS - firstCpuSender_, created);
        }
        return out;
    }

private:
    static constexpr std::uint8_t CREATED = 1, DELIVERED = 2;
    static double microsPerMessage(long ticks, std::uint64_t messages) {
        return static_cast<double>(ticks) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK)) /
               static_cast<double>(messages);
    }
    Clock::time_point sentTime(std::size_t n) const { return Clock::time_point(Clock::duration(sentAt_[n].load())); }
    // With mutex_ held; late arrivals count in the last bucket.
    Bucket& bucketAt(Clock::time_point at) {
        const auto i = at <= start_ ? 0 : static_cast<std::size_t>((at - start_) / bucket_);
        return buckets_[std::min(i, buckets_.size() - 1)];
    }

    std::vector<std::atomic<Clock::rep>> sentAt_;
    std::vector<std::atomic<std::uint8_t>> state_;
    std::atomic<std::uint64_t> duplicates_{0};
    const Clock::time_point start_;
    const std::chrono::seconds bucket_, duration_;
    mutable std::mutex mutex_;
    std::vector<Bucket> buckets_;
    long firstCpuReceiver_{-1}, firstCpuSender_{-1};  // at the first sample; guarded by mutex_
};

// One side of the scenario: where messages go in and how they come out.
class Path {
public:
    virtual ~Path() = default;
    // Blocking; true when the node answered that it took the message.
    virtual Expected<bool> send(std::size_t subscription, long number) = 0;
    virtual std::string healthUrl() const = 0;
    // The device closes its stream (true) or opens it again.
    virtual void setDeviceAway(bool away) = 0;
};

class DhtpushPath : public Path {
public:
    DhtpushPath(const SoakRun& run, std::function<void(long)> onMessage) : senderUrl_(run.senderUrl) {
        auto account = client::attachDevice(run.receiverUrl);
        if (!account) throw std::runtime_error("attach: " + account.error().detail);
        for (std::size_t k = 0; k < SUBSCRIPTIONS; ++k) {
            auto sub = client::addSubscription(*account, "");
            if (!sub) throw std::runtime_error("subscribe: " + sub.error().detail);
            endpoints_.push_back(run.senderUrl + "/wp/" + sub->token);
        }
        account_ = *account;
        onDelivered_ = [onMessage](const node::DeliveredMessage& m) {
            const auto& body = m.envelope.body;
            if (auto n = numberOf(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()))) onMessage(*n);
        };
        setDeviceAway(false);
    }
    void setDeviceAway(bool away) override {
        std::lock_guard<std::mutex> lock(deviceMutex_);
        if (away) device_.reset();
        else if (!device_) device_ = std::make_unique<AckingDevice>(account_, onDelivered_);
    }
    Expected<bool> send(std::size_t subscription, long number) override {
        client::HttpRequest request;
        request.method = "POST";
        request.url = endpoints_[subscription % endpoints_.size()];
        request.headers = {"TTL: 600", "Content-Type: application/octet-stream"};
        request.body = bodyOf(number);
        auto response = client::httpRequest(request);
        if (!response) return response.error();
        return response->status == 201;
    }
    std::string healthUrl() const override { return senderUrl_ + "/health"; }

private:
    std::string senderUrl_;
    std::vector<std::string> endpoints_;
    client::ProxyAccount account_;
    std::function<void(const node::DeliveredMessage&)> onDelivered_;
    std::mutex deviceMutex_;
    std::unique_ptr<AckingDevice> device_;
};

// Standard base64, as the OpenDHT proxy's JSON carries value data.
std::string toBase64(const std::string& data) {
    auto text = crypto::base64urlEncode(data);
    std::replace(text.begin(), text.end(), '-', '+');
    std::replace(text.begin(), text.end(), '_', '/');
    text.append((4 - text.size() % 4) % 4, '=');
    return text;
}

std::optional<std::string> fromBase64(std::string text) {
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    while (!text.empty() && text.back() == '=') text.pop_back();
    auto bytes = crypto::base64urlDecode(text);
    if (!bytes) return std::nullopt;
    return std::string(bytes->begin(), bytes->end());
}

class StockPath : public Path {
public:
    StockPath(const SoakRun& run, std::function<void(long)> onMessage) : senderUrl_(run.senderUrl) {
        for (std::size_t k = 0; k < SUBSCRIPTIONS; ++k) {
            keys_.push_back(randomKey());
            listens_.emplace_back([this, url = run.receiverUrl + "/key/" + keys_.back() + "/listen", onMessage] {
                std::string pending;
                client::HttpRequest request;
                request.url = url;
                request.timeout = std::chrono::hours(24);
                client::httpStream(
                    request,
                    [&](std::string_view chunk) {
                        pending.append(chunk);
                        for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
                            const auto line = pending.substr(0, eol);
                            pending.erase(0, eol + 1);
                            static const std::string field = "\"data\":\"";
                            const auto at = line.find(field);
                            if (at == std::string::npos) continue;
                            const auto end = line.find('"', at + field.size());
                            if (auto data = fromBase64(line.substr(at + field.size(), end - at - field.size())))
                                if (auto n = numberOf(*data)) onMessage(*n);
                        }
                        return true;
                    },
                    stop_);
            });
        }
    }
    ~StockPath() override {
        stop_ = true;
        for (auto& t : listens_) t.join();
    }
    Expected<bool> send(std::size_t subscription, long number) override {
        client::HttpRequest request;
        request.method = "POST";
        request.url = senderUrl_ + "/key/" + keys_[subscription % keys_.size()];
        request.headers = {"Content-Type: application/json"};
        request.body = R"({"type":0,"data":")" + toBase64(bodyOf(number)) + R"("})";
        auto response = client::httpRequest(request);
        if (!response) return response.error();
        return response->status == 200;
    }
    std::string healthUrl() const override { return senderUrl_ + "/"; }
    void setDeviceAway(bool) override { throw std::runtime_error("soak: the stock path has no device to take away"); }

private:
    static std::string randomKey() {  // 40 hex digits, as the proxy's URLs name a key
        static const char* digits = "0123456789abcdef";
        std::string hex;
        for (auto byte : crypto::randomBytes(20)) {
            hex += digits[byte >> 4];
            hex += digits[byte & 15];
        }
        return hex;
    }
    std::string senderUrl_;
    std::vector<std::string> keys_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> listens_;
};

}  // namespace

Json::Value runSoak(const SoakRun& run) {
    const auto capacity = static_cast<std::size_t>(run.rate * static_cast<double>(run.duration.count()) * 1.1) + 1000;
    // Warm-up messages carry -1-k for subscription k; the others their number in the ledger.
    std::vector<std::atomic<bool>> warmed(SUBSCRIPTIONS);
    std::atomic<Ledger*> ledger{nullptr};
    auto onMessage = [&](long n) {
        if (n < 0 && static_cast<std::size_t>(-1 - n) < SUBSCRIPTIONS) warmed[static_cast<std::size_t>(-1 - n)] = true;
        else if (auto* l = ledger.load()) l->delivered(n, Clock::now());
    };
    std::unique_ptr<Path> path;
    if (run.kind == "stock") path = std::make_unique<StockPath>(run, onMessage);
    else path = std::make_unique<DhtpushPath>(run, onMessage);

    // Every subscription's listen is in place once a message through it came back.
    for (std::size_t k = 0; k < SUBSCRIPTIONS; ++k) {
        const auto id = -1 - static_cast<long>(k);
        if (!test::waitUntil([&] {
                path->send(k, id);
                return test::waitUntil([&] { return warmed[k].load(); }, std::chrono::milliseconds(500));
            }, std::chrono::seconds(30)))
            throw std::runtime_error("soak: subscription " + std::to_string(k) + " never delivered");
    }

    const auto start = Clock::now();
    Ledger book(capacity, start, run.bucket, run.duration);
    ledger = &book;
    const auto end = start + run.duration;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    const auto interval = std::chrono::duration<double>(1.0 / run.rate);
    for (std::size_t s = 0; s < SENDERS; ++s)
        threads.emplace_back([&] {
            while (true) {
                const auto n = next++;
                const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(n));
                // The run ends on time: a node that cannot keep the rate shows it as fewer sent.
                if (due >= end || n >= book.capacity() || Clock::now() >= end) break;
                std::this_thread::sleep_until(due);  // the offered rate; a slow node makes senders late
                const auto sentAt = Clock::now();
                book.sent(n, sentAt);
                auto created = path->send(n % SUBSCRIPTIONS, static_cast<long>(n));
                book.answered(n, created && *created, !created);
            }
        });
    threads.emplace_back([&] {
        while (!stop) {
            const auto t0 = Clock::now();
            client::HttpRequest request;
            request.url = path->healthUrl();
            request.timeout = std::chrono::seconds(30);
            client::httpRequest(request);
            book.health(t0, msBetween(t0, Clock::now()));
            std::this_thread::sleep_until(t0 + HEALTH_PERIOD);  // the probe's period
        }
    });
    if (run.awayFor.count() > 0)
        threads.emplace_back([&] {
            const auto untilAway = std::chrono::duration_cast<std::chrono::milliseconds>(start + run.awayAfter - Clock::now());
            if (test::waitUntil([&] { return stop.load(); }, untilAway)) return;
            path->setDeviceAway(true);
            test::waitUntil([&] { return stop.load(); }, run.awayFor);
            path->setDeviceAway(false);
        });
    threads.emplace_back([&] {
        while (!stop) {
            book.resources(Clock::now(), run.receiverPid, run.senderPid);
            test::waitUntil([&] { return stop.load(); }, RESOURCE_PERIOD);
        }
    });
    for (std::size_t s = 0; s < SENDERS; ++s) threads[s].join();
    const auto sent = std::min(next.load(), book.capacity());
    test::waitUntil([&] { return book.allDelivered(sent); }, run.drain);
    stop = true;
    for (std::size_t s = SENDERS; s < threads.size(); ++s) threads[s].join();
    path.reset();  // no delivery reaches the ledger after this
    auto report = book.report(run.rate, sent);
    report["kind"] = run.label.empty() ? run.kind : run.label;
    // What the device's proxy could not read of its DHT traffic: listen notifications among
    // those datagrams are lost for good (the cause of lost messages, docs/performance.md).
    if (run.kind == "dhtpush")
        if (auto health = client::httpRequest({"GET", run.receiverUrl + "/health", {}, {}}))
            if (auto json = node::parseJson(health->body))
                report["receiver_receive_drops"] = (*json)["dht"]["receive_drops"].asUInt64();
    report["seconds"] = Json::Int64(run.duration.count());
    return report;
}

}  // namespace dhtpush::bench
