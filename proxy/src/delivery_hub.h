#pragma once
// Routes envelopes from the DHT (and from POSTs to this node) to the devices attached here:
// watches subscription keys, drops duplicates and expired messages, holds undelivered
// messages per device in a bounded in-memory mailbox, and feeds the event streams.
// Every public method may be called from any thread; work runs on the hub's strand.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dhtpush/node/message_json.h"
#include "dhtpush/node/push_network.h"
#include "event_stream.h"

namespace dhtpush::proxy {

struct HubLimits {
    std::size_t mailboxMessages{1000};            // per device; the oldest goes first
    std::chrono::seconds keepAlive{15};
    std::chrono::seconds valueExpiration{600};    // how long the DHT may hand a value again
};

struct HubCounters {
    std::atomic<std::uint64_t> delivered{0}, queued{0}, duplicates{0}, expired{0}, dropped{0};
};

class DeliveryHub : public std::enable_shared_from_this<DeliveryHub> {
public:
    DeliveryHub(asio::io_context& io, node::PushNetwork& network, HubLimits limits);

    void start();
    // Cancels the watches and the timer and ends every stream.
    void stop();

    // Idempotent. The DHT is watched at the token's key from now on.
    void watch(const std::string& token, const std::string& deviceId);
    void unwatch(const std::string& token);
    void forgetDevice(const std::string& deviceId);
    void deliver(const std::string& token, const node::Envelope& envelope);
    void attach(std::shared_ptr<EventStream> stream);
    void connectionClosed(ConnectionId connection);

    const HubCounters& counters() const { return counters_; }
    std::size_t watchCount() const { return watchCount_; }

private:
    struct Device {
        std::vector<std::shared_ptr<EventStream>> streams;
        std::deque<node::DeliveredMessage> mailbox;
    };
    struct Subscription {
        std::string deviceId;
        node::PushNetwork::WatchId watchId;
    };

    void onEnvelope(const std::string& token, const node::Envelope& envelope);
    bool sendToStreams(Device& device, const node::DeliveredMessage& message);
    void scheduleTick();
    void tick();
    void dropExpired(Device& device);

    asio::strand<asio::io_context::executor_type> strand_;
    node::PushNetwork& network_;
    HubLimits limits_;
    asio::steady_timer timer_;
    std::unordered_map<std::string, Device> devices_;
    std::unordered_map<std::string, Subscription> subscriptions_;
    // "<token> <message id>" → until when a copy of it may still arrive from the DHT.
    std::unordered_map<std::string, std::chrono::system_clock::time_point> seen_;
    HubCounters counters_;
    std::atomic<std::size_t> watchCount_{0};
    bool stopped_{false};
};

}  // namespace dhtpush::proxy
