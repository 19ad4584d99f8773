#include "delivery_hub.h"

#include <asio/post.hpp>

#include <algorithm>

namespace dhtpush::proxy {
namespace {
// How old a TTL-0 message may be when it reaches this proxy: DHT latency plus clock skew.
constexpr auto IMMEDIATE_GRACE = std::chrono::seconds(30);
}  // namespace

DeliveryHub::DeliveryHub(asio::io_context& io, node::PushNetwork& network, HubLimits limits)
    : strand_(asio::make_strand(io)), network_(network), limits_(limits), timer_(strand_) {}

void DeliveryHub::start() {
    asio::post(strand_, [self = shared_from_this()] { self->scheduleTick(); });
}

void DeliveryHub::stop() {
    asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
        for (auto& [token, sub] : self->subscriptions_) self->network_.cancel(sub.watchId);
        self->subscriptions_.clear();
        self->watchCount_ = 0;
        for (auto& [id, device] : self->devices_)
            for (auto& stream : device.streams) stream->close();
        self->devices_.clear();
    });
}

void DeliveryHub::watch(const std::string& token, const std::string& deviceId) {
    asio::post(strand_, [self = shared_from_this(), token, deviceId] {
        if (self->stopped_ || self->subscriptions_.count(token)) return;
        auto parsed = crypto::SubscriptionToken::parse(token);
        if (!parsed) return;
        std::weak_ptr<DeliveryHub> weak = self;
        // The DHT calls back on its own thread: hop onto the strand, never touch the hub there.
        const auto watchId = self->network_.watch(parsed->dhtKey(), [weak, token](const node::Envelope& envelope) {
            if (auto hub = weak.lock())
                asio::post(hub->strand_, [hub, token, envelope] { hub->onEnvelope(token, envelope); });
        });
        self->subscriptions_.emplace(token, Subscription{deviceId, watchId});
        self->watchCount_ = self->subscriptions_.size();
    });
}

void DeliveryHub::unwatch(const std::string& token) {
    asio::post(strand_, [self = shared_from_this(), token] {
        auto it = self->subscriptions_.find(token);
        if (it == self->subscriptions_.end()) return;
        self->network_.cancel(it->second.watchId);
        auto device = self->devices_.find(it->second.deviceId);
        if (device != self->devices_.end()) {
            auto& box = device->second.mailbox;
            box.erase(std::remove_if(box.begin(), box.end(), [&](const auto& m) { return m.token == token; }), box.end());
        }
        self->subscriptions_.erase(it);
        self->watchCount_ = self->subscriptions_.size();
    });
}

void DeliveryHub::forgetDevice(const std::string& deviceId) {
    asio::post(strand_, [self = shared_from_this(), deviceId] {
        for (auto it = self->subscriptions_.begin(); it != self->subscriptions_.end();) {
            if (it->second.deviceId == deviceId) {
                self->network_.cancel(it->second.watchId);
                it = self->subscriptions_.erase(it);
            } else {
                ++it;
            }
        }
        self->watchCount_ = self->subscriptions_.size();
        auto device = self->devices_.find(deviceId);
        if (device == self->devices_.end()) return;
        for (auto& stream : device->second.streams) stream->close();
        self->devices_.erase(device);
    });
}

void DeliveryHub::deliver(const std::string& token, const node::Envelope& envelope) {
    asio::post(strand_, [self = shared_from_this(), token, envelope] { self->onEnvelope(token, envelope); });
}

void DeliveryHub::attach(std::shared_ptr<EventStream> stream) {
    asio::post(strand_, [self = shared_from_this(), stream = std::move(stream)] {
        if (self->stopped_) {
            stream->close();
            return;
        }
        auto& device = self->devices_[stream->deviceId()];
        self->dropExpired(device);
        while (!device.mailbox.empty() && stream->alive()) {
            const auto& message = device.mailbox.front();
            if (!stream->send(message.envelope.idText(), node::messageToJson(message))) break;
            ++self->counters_.delivered;
            device.mailbox.pop_front();
        }
        device.streams.push_back(std::move(stream));
    });
}

void DeliveryHub::connectionClosed(ConnectionId connection) {
    asio::post(strand_, [self = shared_from_this(), connection] {
        for (auto& [id, device] : self->devices_) {
            auto& s = device.streams;
            s.erase(std::remove_if(s.begin(), s.end(), [&](const auto& st) { return st->connection() == connection; }),
                    s.end());
        }
    });
}

void DeliveryHub::onEnvelope(const std::string& token, const node::Envelope& envelope) {
    if (stopped_) return;
    auto sub = subscriptions_.find(token);
    if (sub == subscriptions_.end()) return;  // not a subscription of this proxy
    const auto now = std::chrono::system_clock::now();
    const bool immediateOnly = envelope.ttlSeconds == 0;
    // A TTL-0 message is expired as soon as it exists; it is still for a device connected
    // right now, if it is fresh (a value the DHT hands again much later is not).
    const auto created = std::chrono::system_clock::time_point(std::chrono::milliseconds(envelope.createdMs));
    if (immediateOnly ? now - created > IMMEDIATE_GRACE : envelope.expiredAt(now)) {
        ++counters_.expired;
        return;
    }
    // The DHT hands a value to every listener again after a refresh, and a POST to this node
    // arrives both directly and through the DHT: remember ids until no copy can come back.
    const auto key = token + " " + envelope.idText();
    const auto expiresAt = created + std::chrono::seconds(envelope.ttlSeconds);
    const auto rememberUntil = std::max(expiresAt, now + limits_.valueExpiration + std::chrono::minutes(1));
    if (!seen_.emplace(key, rememberUntil).second) {
        ++counters_.duplicates;
        return;
    }
    node::DeliveredMessage message{token, envelope};
    auto& device = devices_[sub->second.deviceId];
    if (sendToStreams(device, message)) return;
    if (immediateOnly) {  // RFC 8030 §5.2: TTL 0 is for a device connected right now
        ++counters_.dropped;
        return;
    }
    if (device.mailbox.size() >= limits_.mailboxMessages) {
        device.mailbox.pop_front();
        ++counters_.dropped;
    }
    device.mailbox.push_back(std::move(message));
    ++counters_.queued;
}

bool DeliveryHub::sendToStreams(Device& device, const node::DeliveredMessage& message) {
    bool sent = false;
    const auto json = node::messageToJson(message);
    for (auto& stream : device.streams) sent = stream->send(message.envelope.idText(), json) || sent;
    auto& s = device.streams;
    s.erase(std::remove_if(s.begin(), s.end(), [](const auto& st) { return !st->alive(); }), s.end());
    if (sent) ++counters_.delivered;
    return sent;
}

void DeliveryHub::dropExpired(Device& device) {
    const auto now = std::chrono::system_clock::now();
    auto& box = device.mailbox;
    const auto before = box.size();
    box.erase(std::remove_if(box.begin(), box.end(), [&](const auto& m) { return m.envelope.expiredAt(now); }),
              box.end());
    counters_.expired += before - box.size();
}

void DeliveryHub::scheduleTick() {
    if (stopped_) return;
    timer_.expires_after(limits_.keepAlive);
    timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->tick();
    });
}

void DeliveryHub::tick() {
    const auto now = std::chrono::system_clock::now();
    for (auto it = seen_.begin(); it != seen_.end();) it = it->second < now ? seen_.erase(it) : std::next(it);
    for (auto& [id, device] : devices_) {
        for (auto& stream : device.streams) stream->ping();
        auto& s = device.streams;
        s.erase(std::remove_if(s.begin(), s.end(), [](const auto& st) { return !st->alive(); }), s.end());
        dropExpired(device);
    }
    scheduleTick();
}

}  // namespace dhtpush::proxy
