#include "delivery_hub.h"

#include <asio/dispatch.hpp>
#include <asio/post.hpp>

#include <algorithm>
#include <optional>
#include <set>

#include "http_response.h"
#include "vapid_check.h"

namespace dhtpush::proxy {
namespace {
// How old a TTL-0 message may be when it reaches this proxy: DHT latency plus clock skew.
constexpr auto IMMEDIATE_GRACE = std::chrono::seconds(30);
constexpr std::size_t BACKLOG_PAGE = 64;  // events per write when a device collects its mailbox

std::int64_t toMs(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

DeliveryHub::DeliveryHub(asio::strand<asio::io_context::executor_type> strand, node::PushNetwork& network,
                         Mailbox& mailbox, HubLimits limits)
    : strand_(strand), network_(network), mailbox_(mailbox), limits_(limits), timer_(strand_),
      router_(std::make_shared<node::SubscriptionRouter>(
          strand_, network, node::RouterLimits{limits.watchesPerSecond, limits.maxDhtHandoff},
          [hub = self_](const std::string& token, const node::Envelope& envelope) {
              if (auto self = hub->lock()) self->onEnvelope(token, envelope, true);
          })),
      held_(limits.held) {}

void DeliveryHub::start() {
    *self_ = weak_from_this();  // before any work on the strand
    asio::post(strand_, [self = shared_from_this()] { self->scheduleTick(); });
}

void DeliveryHub::stop() {
    router_->stop();
    asio::post(strand_, [self = shared_from_this()] {
        self->storeAdmitted();
        self->stopped_ = true;
        self->timer_.cancel();
        self->subscriptions_.clear();
        for (auto& [id, streams] : self->streams_)
            for (auto& stream : streams) stream->close();
        self->streams_.clear();
        self->openStreams_ = 0;
        self->deviceOfConnection_.clear();
        self->tokensOfDevice_.clear();
    });
}

void DeliveryHub::watch(const std::string& token, const std::string& deviceId, const std::string& vapidKey) {
    asio::post(strand_, [self = shared_from_this(), token, deviceId, vapidKey] {
        if (self->stopped_ || !self->router_->watch(token)) return;
        auto [it, added] = self->subscriptions_.try_emplace(token);
        it->second.vapidKey = vapidKey;
        if (!added) return;
        it->second.deviceId = deviceId;
        self->tokensOfDevice_[deviceId].insert(token);
    });
}

void DeliveryHub::removeSubscription(std::unordered_map<std::string, Subscription>::iterator it) {
    auto& sub = it->second;
    if (auto tokens = tokensOfDevice_.find(sub.deviceId); tokens != tokensOfDevice_.end()) {
        tokens->second.erase(it->first);
        if (tokens->second.empty()) tokensOfDevice_.erase(tokens);
    }
    held_.drop(sub.deviceId, it->first);
    publishHeld();
    router_->unwatch(it->first);
    subscriptions_.erase(it);
}

void DeliveryHub::unwatch(const std::string& token) {
    asio::post(strand_, [self = shared_from_this(), token] {
        auto it = self->subscriptions_.find(token);
        if (it != self->subscriptions_.end()) self->removeSubscription(it);
    });
}

void DeliveryHub::forgetDevice(const std::string& deviceId) {
    asio::post(strand_, [self = shared_from_this(), deviceId] {
        if (auto tokens = self->tokensOfDevice_.find(deviceId); tokens != self->tokensOfDevice_.end()) {
            const auto held = tokens->second;  // removeSubscription edits the set
            for (const auto& token : held)
                if (auto it = self->subscriptions_.find(token); it != self->subscriptions_.end())
                    self->removeSubscription(it);
        }
        auto streams = self->streams_.find(deviceId);
        if (streams == self->streams_.end()) return;
        for (auto& stream : streams->second) stream->close();
        self->openStreams_ -= streams->second.size();
        self->streams_.erase(streams);
    });
}

void DeliveryHub::deliver(const std::string& token, const node::Envelope& envelope, OutcomeCallback done) {
    asio::post(strand_, [self = shared_from_this(), token, envelope, done = std::move(done)] {
        self->onEnvelope(token, envelope, false, done);
    });
}

void DeliveryHub::attach(std::shared_ptr<EventStream> stream, std::int64_t afterSeq) {
    asio::post(strand_, [self = shared_from_this(), stream = std::move(stream), afterSeq] {
        if (self->stopped_) {
            stream->close();
            return;
        }
        // On the strand, so nothing that arrives meanwhile can overtake the backlog. The
        // prune is an index range (mailbox_by_expiry), cheap under a storm of reconnects.
        self->storeAdmitted();
        const auto nowMs = toMs(std::chrono::system_clock::now());
        if (auto dropped = self->mailbox_.pruneExpired(nowMs)) self->counters_.expired += *dropped;
        auto backlog = self->mailbox_.pending(stream->deviceId(), afterSeq, nowMs);
        if (!backlog) {
            stream->close();
            return;
        }
        // In pages: a mailbox of 1,000 messages is 16 writes, far from the stream's limit of
        // writes in flight (which a write per message would pass, ending the stream).
        std::vector<EventStream::Event> page;
        for (std::size_t i = 0; i < backlog->size(); ++i) {
            const auto& stored = (*backlog)[i];
            // One below the stream's urgency waits for a stream that takes it.
            if (stream->carries(stored.message.envelope.urgency))
                page.push_back({std::to_string(stored.seq), node::messageToJson(stored.message)});
            if (page.size() < BACKLOG_PAGE && i + 1 < backlog->size()) continue;
            if (page.empty()) continue;
            if (!stream->sendPage(page)) break;
            self->counters_.delivered += page.size();
            page.clear();
        }
        // A device reconnecting before its old connection timed out, or a client opening
        // streams without end: the oldest goes, so each device holds a bounded number.
        ++self->counters_.streamsOpened;  // after its backlog: a message POSTed from now on is live
        self->deviceOfConnection_[stream->connection()] = stream->deviceId();
        auto& streams = self->streams_[stream->deviceId()];
        while (!streams.empty() && streams.size() >= self->limits_.maxStreamsPerDevice) {
            streams.front()->close();
            streams.erase(streams.begin());
            --self->openStreams_;
            ++self->counters_.streamsReplaced;
        }
        streams.push_back(std::move(stream));
        ++self->openStreams_;
    });
}

void DeliveryHub::connectionClosed(ConnectionId connection) {
    asio::post(strand_, [self = shared_from_this(), connection] {
        auto device = self->deviceOfConnection_.find(connection);
        if (device == self->deviceOfConnection_.end()) return;  // not a stream
        if (auto found = self->streams_.find(device->second); found != self->streams_.end()) {
            auto& streams = found->second;
            const auto before = streams.size();
            streams.erase(std::remove_if(streams.begin(), streams.end(),
                                         [&](const auto& s) { return s->connection() == connection; }),
                          streams.end());
            self->openStreams_ -= before - streams.size();
            if (streams.empty()) self->streams_.erase(found);
        }
        self->deviceOfConnection_.erase(device);
    });
}

void DeliveryHub::onEnvelope(const std::string& token, const node::Envelope& received, bool fromDht,
                             const OutcomeCallback& done) {
    const auto tell = [&done](LocalOutcome outcome) {
        if (done) done(outcome);
    };
    if (stopped_) return tell(LocalOutcome::NotHeld);
    auto sub = subscriptions_.find(token);
    if (sub == subscriptions_.end()) return tell(LocalOutcome::NotHeld);  // not a subscription of this proxy
    const auto now = std::chrono::system_clock::now();
    const auto nowMillis = static_cast<std::uint64_t>(toMs(now));
    // A POST to this node was checked by the route; a copy from the DHT carries a peer's
    // claims: its times are held against our clock (a copy, with its TTL capped) and a bound
    // key needs its VAPID proof. Before the duplicate check: a forged copy must not shadow
    // the real one.
    std::optional<node::Envelope> bounded;
    if (fromDht) bounded = received;
    const node::Envelope& envelope = bounded ? *bounded : received;
    const auto key = token + " " + envelope.idText();
    if (fromDht) {
        if (!boundEnvelopeTime(*bounded, nowMillis, limits_.time)) {
            ++counters_.rejected;
            return;
        }
        // A copy of a message already taken (the DHT's echo of a POST to this node, a refresh)
        // needs no proof checked again. Only looked up here: a forged copy must not shadow
        // the real one, so nothing is remembered before the proof holds.
        if (const auto seen = seen_.find(key); seen != seen_.end() && seen->second != FORGOTTEN_ID) {
            ++counters_.duplicates;
            return;
        }
        auto proof = proofs_.check(token, sub->second.vapidKey, envelope, static_cast<std::int64_t>(nowMillis / 1000));
        if (!proof) {
            ++(proof.error().code == Errc::Unavailable ? counters_.proofsLimited : counters_.rejected);
            return;
        }
    }
    const bool immediateOnly = envelope.ttlSeconds == 0;
    // A TTL-0 message is expired as soon as it exists; it is still for a device connected
    // right now, if it is fresh (a value the DHT hands again much later is not).
    const auto created = std::chrono::system_clock::time_point(std::chrono::milliseconds(envelope.createdMs));
    if (immediateOnly ? now - created > IMMEDIATE_GRACE : envelope.expiredAt(now)) {
        ++counters_.expired;
        return tell(LocalOutcome::NotHeld);
    }
    // The DHT hands a value to every listener again after a refresh, and a POST to this node
    // arrives both directly and through the DHT: remember ids until no copy can come back.
    const auto expiresAt = created + std::chrono::seconds(envelope.ttlSeconds);
    const auto rememberUntil = std::max(expiresAt, now + limits_.valueExpiration + std::chrono::minutes(1));
    if (!rememberId(key, rememberUntil)) {
        ++counters_.duplicates;
        return tell(LocalOutcome::AlreadyHeld);
    }
    const auto& deviceId = sub->second.deviceId;
    node::DeliveredMessage message{token, envelope};
    if (immediateOnly) {  // RFC 8030 §5.2: TTL 0 is for a device connected right now, never stored
        if (!sendToStreams(deviceId, "", message)) ++counters_.dropped;
        return tell(LocalOutcome::Streamed);
    }
    storeAdmitted();  // what an earlier message wrote decides for this one (Topic, duplicates)
    auto entry = Mailbox::entryFor(deviceId, message, toMs(expiresAt));
    entry.createdMs = orderingTimeMs(envelope, nowMillis);
    // Behind what is held for the device, so the mailbox keeps the order (releaseHeld writes
    // it as the device acks); a device connected now still has it at once, as it has what a
    // full mailbox refuses (with no event id: it has no place in the mailbox yet).
    // Not when the mailbox knows it (stored or acked) or it is held already: a refetch pass
    // hands over whole inboxes again, and at 1,000 messages/s seen_ no longer remembers most of
    // them; held again, they filled the device's share of the hold and were refetched in turn.
    if (fromDht && held_.holds(deviceId)) {
        if (const auto fresh = mailbox_.isNew(entry); (fresh && !*fresh) || held_.contains(entry)) {
            ++counters_.duplicates;
            return tell(LocalOutcome::AlreadyHeld);
        }
        sendToStreams(deviceId, "", message);
        return holdOrRefetch(std::move(entry));
    }
    auto admitted = mailbox_.admit(entry);
    if (!admitted) {
        ++counters_.dropped;
        if (fromDht) forgetForRefetch(deviceId, token, entry.messageId);  // asked from the DHT again
        return tell(admitted.error().code == Errc::StorageFull ? LocalOutcome::Full : LocalOutcome::NotHeld);
    }
    if (!*admitted) {  // stored or acked before (e.g. fetched again after a restart)
        ++counters_.duplicates;
        return tell(LocalOutcome::AlreadyHeld);
    }
    sendToStreams(deviceId, std::to_string(entry.seq), message);
    // Written in a later handler, so the stream's write (queued on the same io_context)
    // goes out first; a message arriving meanwhile writes it before its own admit().
    admitted_.push_back(std::move(entry));
    admittedDone_.push_back(done);
    admittedFromDht_.push_back(fromDht);
    if (admitted_.size() == 1)
        asio::post(strand_, [self = shared_from_this()] { self->storeAdmitted(); });
}

bool DeliveryHub::rememberId(const std::string& key, std::chrono::system_clock::time_point until) {
    const auto [it, inserted] = seen_.emplace(key, until);
    if (!inserted) {
        if (it->second != FORGOTTEN_ID) return false;
        it->second = until;  // taken again after a refetch, in its old place in seenOrder_
        return true;
    }
    seenOrder_.push_back(key);
    while (seen_.size() > limits_.maxSeenIds && !seenOrder_.empty()) {
        seen_.erase(seenOrder_.front());
        seenOrder_.pop_front();
    }
    seenIdCount_ = seen_.size();
    return true;
}

void DeliveryHub::storeAdmitted() {
    if (admitted_.empty()) return;
    auto stored = mailbox_.store(admitted_);
    if (!stored) counters_.dropped += admitted_.size();
    else {
        counters_.queued += stored->written;
        counters_.dropped += stored->orphaned;
        counters_.storageFull += stored->full;
    }
    // What the mailbox did not keep from the DHT must still reach the device: its sender was
    // answered 201 by another node. Refused for a full mailbox, it is held in memory and written
    // once the device acks (releaseHeld); past the hold's bounds, or when the write failed, it
    // is forgotten and asked from the DHT again once the device has collected
    // (refetchOverflowed). (A POST here was answered 507 or 503 instead.)
    for (std::size_t i = 0; i < admitted_.size(); ++i) {
        if (!admittedFromDht_[i]) continue;
        const bool full = stored && i < stored->outcomes.size() && stored->outcomes[i] == StoreOutcome::Full;
        if (stored && !full) continue;
        auto& entry = admitted_[i];
        if (full) holdOrRefetch(std::move(entry));
        else forgetForRefetch(entry.deviceId, entry.token, entry.messageId);
    }
    auto done = std::move(admittedDone_);
    admitted_.clear();
    admittedDone_.clear();
    admittedFromDht_.clear();
    // The transaction failed: nothing of it is stored (a full disk says so: 507, not 503).
    const auto failed = !stored && stored.error().code == Errc::StorageFull ? LocalOutcome::Full : LocalOutcome::NotHeld;
    for (std::size_t i = 0; i < done.size(); ++i) {
        if (!done[i]) continue;
        auto outcome = failed;
        if (stored && i < stored->outcomes.size()) switch (stored->outcomes[i]) {
                case StoreOutcome::Written: outcome = LocalOutcome::Stored; break;
                case StoreOutcome::Skipped: outcome = LocalOutcome::AlreadyHeld; break;
                case StoreOutcome::Full: outcome = LocalOutcome::Full; break;
                case StoreOutcome::Orphaned: outcome = LocalOutcome::NotHeld; break;
            }
        done[i](outcome);
    }
}

void DeliveryHub::collected(const std::string& deviceId, std::vector<std::string> ids, std::size_t acked) {
    // Nothing to write and nothing held anywhere: an ack (or a flood of them) posts no work.
    if (acked == 0 && heldMessages_ == 0) return;
    asio::post(strand_, [self = shared_from_this(), deviceId, ids = std::move(ids), acked] {
        if (self->stopped_) return;
        // What the device had live, behind its held messages, goes now: found later among
        // them, each used to be skipped on the way, and more than a handler's worth in a row
        // cost the ack its room, which stalled the hold at 1,000 messages/s.
        if (const auto dropped = self->held_.dropAcked(deviceId, ids)) {
            self->counters_.duplicates += dropped;
            self->publishHeld();
        }
        // Only deleted rows make room: the messages in flight from the hold to the device stay
        // as many as the mailbox took, at the pace the device acks (counting the dropped ones
        // too grew them past what a stream can carry beside 1,000 live messages a second).
        if (acked > 0) self->releaseHeld(deviceId, acked);
    });
}

void DeliveryHub::publishHeld() {
    heldMessages_ = held_.messages();
    heldBytes_ = held_.bytes();
}

void DeliveryHub::holdOrRefetch(MailboxEntry entry) {
    const auto deviceId = entry.deviceId, token = entry.token, messageId = entry.messageId;
    if (held_.hold(std::move(entry))) ++counters_.held;
    else forgetForRefetch(deviceId, token, messageId);
    publishHeld();
}

// Writes at most `budget`, the room an ack made (or a page, on a tick): a device that acks one
// message at a time gets one written each time, not a page tried and refused. Held messages the
// device already acked (it had them live, on a stream) are dropped on the way and use none of
// the budget, but at most SKIPPED_PER_RELEASE of them a call, so that one call's work stays
// bounded; a later handler goes on with the rest of the budget.
void DeliveryHub::releaseHeld(const std::string& deviceId, std::size_t budget) {
    constexpr std::size_t SKIPPED_PER_RELEASE = 4 * BACKLOG_PAGE;
    if (stopped_ || !held_.holds(deviceId)) return;
    storeAdmitted();  // what waits to be written goes first
    const auto nowMs = toMs(std::chrono::system_clock::now());
    std::size_t skipped = 0;
    bool full = false;
    while (budget > 0 && !full && held_.holds(deviceId)) {
        if (skipped >= SKIPPED_PER_RELEASE) {
            asio::post(strand_, [self = shared_from_this(), deviceId, budget] { self->releaseHeld(deviceId, budget); });
            break;
        }
        std::vector<MailboxEntry> admitted;
        for (auto& entry : held_.take(deviceId, std::min(budget, BACKLOG_PAGE))) {
            if (entry.expiresMs <= nowMs) {
                ++counters_.expired;
                ++skipped;
                continue;
            }
            auto fresh = mailbox_.admit(entry);
            if (fresh && *fresh) {
                admitted.push_back(std::move(entry));
                continue;
            }
            ++skipped;
            if (!fresh) forgetForRefetch(entry.deviceId, entry.token, entry.messageId);
            else ++counters_.duplicates;  // acked (it went out on a stream) or stored meanwhile
        }
        if (admitted.empty()) continue;
        auto stored = mailbox_.store(admitted);
        std::vector<MailboxEntry> refused;
        std::vector<std::pair<std::string, node::DeliveredMessage>> written;  // a page: one write a stream
        for (std::size_t i = 0; i < admitted.size(); ++i) {
            auto& entry = admitted[i];
            const auto outcome = stored && i < stored->outcomes.size() ? stored->outcomes[i] : StoreOutcome::Orphaned;
            if (!stored) forgetForRefetch(entry.deviceId, entry.token, entry.messageId);
            else if (outcome == StoreOutcome::Full) refused.push_back(std::move(entry));
            else if (outcome == StoreOutcome::Written) {
                ++counters_.queued;
                --budget;
                if (auto envelope = node::decodeEnvelope(entry.envelope))
                    written.emplace_back(std::to_string(entry.seq), node::DeliveredMessage{entry.token, std::move(*envelope)});
            } else {
                ++skipped;  // acked or its subscription removed since admit()
            }
        }
        std::vector<OutgoingEvent> page;
        page.reserve(written.size());
        for (const auto& [eventId, message] : written) page.push_back({eventId, &message});
        sendToStreams(deviceId, page);
        if (!stored || !refused.empty()) {  // no more room: the next ack or tick goes on
            held_.putBack(deviceId, std::move(refused));
            full = true;
        }
    }
    publishHeld();
}

void DeliveryHub::forgetForRefetch(const std::string& deviceId, const std::string& token,
                                   const std::string& messageId) {
    if (auto seen = seen_.find(token + " " + messageId); seen != seen_.end()) seen->second = FORGOTTEN_ID;
    const auto [overflow, first] = overflowed_.try_emplace(deviceId);
    if (first) {
        overflow->second.notBefore = std::chrono::steady_clock::now() + limits_.keepAlive;
        overflowOrder_.push_back(deviceId);
        refetchWaiting_ = overflowed_.size();
    }
    overflow->second.tokens.insert(token);
    log::sampled(log::Level::warn, "a message from the DHT was not kept: its device's mailbox is full or failed",
                 "taken again from the DHT once the device has collected (--mailbox-size, --mailbox-bytes, "
                 "--subscription-messages, --subscription-bytes)");
}

bool DeliveryHub::sendToStreams(const std::string& deviceId, const std::string& eventId,
                                const node::DeliveredMessage& message) {
    return sendToStreams(deviceId, {OutgoingEvent{eventId, &message}}) > 0;
}

std::size_t DeliveryHub::sendToStreams(const std::string& deviceId, const std::vector<OutgoingEvent>& events) {
    auto it = streams_.find(deviceId);
    if (it == streams_.end() || events.empty()) return 0;
    std::vector<std::string> json;
    json.reserve(events.size());
    for (const auto& e : events) json.push_back(node::messageToJson(*e.message));
    std::vector<bool> sent(events.size(), false);
    std::vector<EventStream::Event> page;
    std::vector<std::size_t> onPage;
    for (auto& stream : it->second) {
        page.clear();
        onPage.clear();
        for (std::size_t i = 0; i < events.size(); ++i)
            if (stream->carries(events[i].message->envelope.urgency)) {
                page.push_back({events[i].eventId, json[i]});
                onPage.push_back(i);
            }
        if (!page.empty() && stream->sendPage(page))
            for (const auto i : onPage) sent[i] = true;
    }
    // From the envelope's creation (the sender node's clock, within the allowed skew) to this
    // write: what a user waits, for /metrics.
    const auto nowMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::size_t count = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (!sent[i]) continue;
        ++count;
        const auto waitedMs = nowMs - static_cast<std::int64_t>(events[i].message->envelope.createdMs);
        deliveryLatency_.observe(waitedMs > 0 ? static_cast<double>(waitedMs) / 1000.0 : 0.0);
    }
    counters_.delivered += count;
    return count;
}

void DeliveryHub::pruneStreams() {
    for (auto it = streams_.begin(); it != streams_.end();) {
        auto& s = it->second;
        const auto before = s.size();
        s.erase(std::remove_if(s.begin(), s.end(), [](const auto& st) { return !st->alive(); }), s.end());
        openStreams_ -= before - s.size();
        it = s.empty() ? streams_.erase(it) : std::next(it);
    }
}

void DeliveryHub::refetchOverflowed() {
    const auto now = std::chrono::steady_clock::now();
    if (overflowOrder_.empty() || now < nextRefetch_) return;
    std::set<crypto::DhtKey> keys;
    std::vector<std::pair<std::string, Overflow>> taken;  // back into overflowed_ if the gets fail
    // Each device looked at is a count in SQLite: at most maxRefetchKeys a tick, first come
    // first served; one without room yet, or with subscriptions left for the next pass, goes
    // to the back.
    const auto waiting = overflowOrder_.size();
    for (std::size_t looked = 0; looked < waiting && looked < limits_.maxRefetchKeys; ++looked) {
        auto device = std::move(overflowOrder_.front());
        overflowOrder_.pop_front();
        const auto it = overflowed_.find(device);
        if (it == overflowed_.end()) continue;
        auto& overflow = it->second;
        // Only the subscriptions that refused, and still exist: the device's others lost nothing.
        const auto subscribed = tokensOfDevice_.find(device);
        for (auto t = overflow.tokens.begin(); t != overflow.tokens.end();)
            t = subscribed != tokensOfDevice_.end() && subscribed->second.count(*t) ? std::next(t)
                                                                                    : overflow.tokens.erase(t);
        if (overflow.tokens.empty()) {
            overflowed_.erase(it);
            continue;
        }
        // Room in the device's mailbox and in each subscription's that refused: else the same
        // messages would be fetched and refused again.
        const std::vector<std::string> refused(overflow.tokens.begin(), overflow.tokens.end());
        const auto room = overflow.notBefore <= now ? mailbox_.atMostHalfFull(device, refused) : Expected<bool>(false);
        Overflow took{overflow.notBefore, {}};
        for (const auto& token : refused) {
            if (!room || !*room) break;
            auto all = keys;
            const auto mine = router_->keysOf({token});
            all.insert(mine.begin(), mine.end());
            if (!keys.empty() && all.size() > limits_.maxRefetchKeys) break;  // the next pass takes it
            keys = std::move(all);
            took.tokens.insert(token);
            overflow.tokens.erase(token);
        }
        if (!took.tokens.empty()) taken.emplace_back(device, std::move(took));
        if (overflow.tokens.empty())
            overflowed_.erase(it);
        else
            overflowOrder_.push_back(std::move(device));
    }
    refetchWaiting_ = overflowed_.size();
    if (keys.empty()) return;
    ++counters_.refetchPasses;
    nextRefetch_ = now + 4 * limits_.keepAlive;
    router_->refetch(keys, [weak = weak_from_this(), strand = strand_, taken = std::move(taken)](bool ok) mutable {
        if (ok) return;
        // A get no node answered: those subscriptions wait for the next pass, with whatever
        // their devices refused meanwhile.
        asio::post(strand, [weak, taken = std::move(taken)]() mutable {
            auto self = weak.lock();
            if (!self) return;
            for (auto& [device, overflow] : taken) {
                const auto [it, first] = self->overflowed_.try_emplace(device, std::move(overflow));
                if (first)
                    self->overflowOrder_.push_back(device);
                else
                    it->second.tokens.merge(overflow.tokens);
            }
            self->refetchWaiting_ = self->overflowed_.size();
        });
    });
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
    seenOrder_.erase(std::remove_if(seenOrder_.begin(), seenOrder_.end(),
                                    [this](const std::string& k) { return seen_.count(k) == 0; }),
                     seenOrder_.end());
    seenIdCount_ = seen_.size();
    for (auto& [id, streams] : streams_)
        for (auto& stream : streams) stream->ping();
    pruneStreams();
    if (auto dropped = mailbox_.pruneExpired(toMs(now))) counters_.expired += *dropped;
    // A device's acks release what is held for it at once (collected); this takes the room
    // that expiry made, for at most maxRefetchKeys devices a tick, in turn.
    const auto holding = held_.devices();
    for (std::size_t i = 0; i < std::min(holding.size(), limits_.maxRefetchKeys); ++i)
        releaseHeld(holding[(heldTurn_ + i) % holding.size()], BACKLOG_PAGE);
    heldTurn_ += limits_.maxRefetchKeys;
    refetchOverflowed();
    // Every refused limit leaves a line: what the DHT storage budget refused since the last tick.
    const auto status = network_.status();
    const auto refused = status.storageRefused;
    if (refused > storageRefusedReported_)
        log::sampled(log::Level::warn, "DHT storage budget refused push values",
                      std::to_string(refused - storageRefusedReported_) + " since the previous tick, " +
                          std::to_string(refused) + " in all (--dht-storage-mib, --dht-values-per-key)");
    storageRefusedReported_ = refused;
    // And what the DHT socket could not take: an overloaded node, whose listens may miss values.
    if (status.receiveDrops > receiveDropsReported_)
        log::sampled(log::Level::warn, "DHT socket dropped datagrams (receive buffer full)",
                      std::to_string(status.receiveDrops - receiveDropsReported_) + " since the previous tick, " +
                          std::to_string(status.receiveDrops) + " in all: this node cannot keep up with its DHT traffic");
    receiveDropsReported_ = status.receiveDrops;
    // Connectivity changes, once each (a standalone node that never connects says nothing).
    if (status.connected != dhtConnected_) {
        if (status.connected)
            log::info("DHT connected ({} good nodes, {} dubious)", status.goodNodes, status.dubiousNodes);
        else
            log::warn("DHT connection lost: no good node left");
        dhtConnected_ = status.connected;
    }
    scheduleTick();
}

}  // namespace dhtpush::proxy
