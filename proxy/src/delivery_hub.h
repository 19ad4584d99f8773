#pragma once
// Routes envelopes from the DHT (and from POSTs to this node) to the devices attached here:
// has the subscriptions' tokens watched (node::SubscriptionRouter: which keys, shared listens,
// pacing), drops duplicates, expired and forged messages, feeds the event streams, and stores
// the messages in the durable mailbox right after handing them to the streams (a connected
// device does not wait for the commit).
// Every public method may be called from any thread; the work runs on the hub's strand.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <set>
#include <vector>

#include "dhtpush/node/message_json.h"
#include "dhtpush/node/push_network.h"
#include "dhtpush/node/subscription_router.h"
#include "envelope_proof_checker.h"
#include "envelope_time.h"
#include "event_stream.h"
#include "held_messages.h"
#include "latency_histogram.h"
#include "mailbox.h"

namespace dhtpush::proxy {

struct HubLimits {
    std::chrono::seconds keepAlive{15};
    std::chrono::seconds valueExpiration{600};    // how long the DHT may hand a value again
    std::size_t watchesPerSecond{2000};           // OpenDHT stalls on bursts of new listens
    EnvelopeTimeRules time;                       // what a DHT peer may claim about time
    // Message ids remembered in memory to drop the DHT's second copies (about 150 bytes
    // each). Past it the oldest are forgotten: a copy of a stored or acked message is still
    // caught by the mailbox; only a TTL-0 copy could be streamed twice.
    std::size_t maxSeenIds{65536};
    std::size_t maxStreamsPerDevice{4};           // past it the device's oldest stream ends
    // Envelopes the DHT's thread handed over and the hub has not taken yet (about 1 KiB
    // each); past it the DHT's thread waits (HandoffBound).
    std::size_t maxDhtHandoff{16384};
    // Keys one pass may have the DHT hand over again for devices whose full mailbox refused
    // messages from it (refetchOverflowed); each is a get of every lane of an inbox. A pass
    // takes each key once whatever the devices, and comes at most every 4 keep-alives. It is
    // also how many waiting devices a tick looks at (each a count in SQLite), first come first.
    std::size_t maxRefetchKeys{64};
    // Messages from the DHT a full mailbox refused, held in memory until their device acks
    // (HeldMessages); what is past these is refetched instead.
    HeldLimits held{};
};

struct HubCounters {
    std::atomic<std::uint64_t> delivered{0}, queued{0}, duplicates{0}, expired{0}, dropped{0}, storageFull{0},
        rejected{0}, streamsOpened{0}, streamsReplaced{0}, proofsLimited{0}, refetchPasses{0}, held{0};
};

// What became of a message handed to deliver(), for the answer to its POST.
enum class LocalOutcome {
    Stored,      // committed to the mailbox ("201 means stored")
    AlreadyHeld, // stored or acked before: nothing new to keep
    Streamed,    // TTL 0: handed to the device if connected, never stored (RFC 8030 §5.2)
    Full,        // a mailbox quota: not kept
    NotHeld,     // the subscription went away, the hub stopped, or the disk failed
};

class DeliveryHub : public std::enable_shared_from_this<DeliveryHub> {
public:
    // Runs on the hub's strand.
    using OutcomeCallback = std::function<void(LocalOutcome)>;

    DeliveryHub(asio::strand<asio::io_context::executor_type> strand, node::PushNetwork& network, Mailbox& mailbox,
                HubLimits limits);

    void start();
    // Cancels the watches and the timers and ends every stream.
    void stop();

    // Idempotent. The DHT is watched at the token's key from now on (paced).
    void watch(const std::string& token, const std::string& deviceId, const std::string& vapidKey = {});
    void unwatch(const std::string& token);
    void forgetDevice(const std::string& deviceId);
    // A message POSTed to this node for one of its subscriptions; `done` (may be empty) is
    // told what became of it once that is durable.
    void deliver(const std::string& token, const node::Envelope& envelope, OutcomeCallback done = {});
    // Sends the device's unacked messages after `afterSeq` (its Last-Event-ID), then live ones.
    void attach(std::shared_ptr<EventStream> stream, std::int64_t afterSeq);
    void connectionClosed(ConnectionId connection);

    const HubCounters& counters() const { return counters_; }
    // Any thread: whether a subscription here has this key watched (a put to it needs no search).
    bool watchesKey(const crypto::DhtKey& key) const { return router_->watches(key); }
    std::size_t watchCount() const { return router_->watchCount(); }
    std::size_t listenCount() const { return router_->listenCount(); }  // DHT listens, an inbox's all
    unsigned inboxListens() const { return network_.inboxListens(); }  // DHT listens of one inbox
    // Envelopes from the DHT's thread not taken yet (HubLimits::maxDhtHandoff bounds them).
    std::size_t dhtHandoff() const { return router_->dhtHandoff(); }
    std::size_t seenIdCount() const { return seenIdCount_; }
    // Any thread: event streams open now, and the wait of each live delivery (/metrics).
    std::size_t openStreams() const { return openStreams_; }
    // Any thread, after a device acked `ids`, `acked` of them stored messages. Held ones among
    // them are dropped (the device had them on a stream while they waited behind the held
    // ones), and as many held messages as the ack deleted are written now, as far as there is
    // room. An ack of nothing stored moves nothing.
    void collected(const std::string& deviceId, std::vector<std::string> ids, std::size_t acked);
    // Any thread: messages and bytes held for full mailboxes (HeldMessages).
    std::size_t heldMessages() const { return heldMessages_; }
    std::size_t heldBytes() const { return heldBytes_; }
    // Any thread: devices waiting for a refetch of what their full mailbox refused.
    std::size_t refetchWaiting() const { return refetchWaiting_; }
    const LatencyHistogram& deliveryLatency() const { return deliveryLatency_; }

private:
    struct Subscription {
        std::string deviceId;
        std::string vapidKey;
    };

    void onEnvelope(const std::string& token, const node::Envelope& envelope, bool fromDht,
                    const OutcomeCallback& done = {});
    bool sendToStreams(const std::string& deviceId, const std::string& eventId, const node::DeliveredMessage& message);
    struct OutgoingEvent {
        std::string eventId;
        const node::DeliveredMessage* message;  // the caller's: a live message is not copied
    };
    // Several messages in one write on each of the device's streams (those each carries): a
    // burst is one write, far from a stream's bound on queued writes (256), which a write per
    // message of a mailbox's room would pass and so close a device that reads fine. Returns
    // how many went out on some stream.
    std::size_t sendToStreams(const std::string& deviceId, const std::vector<OutgoingEvent>& events);
    void removeSubscription(std::unordered_map<std::string, Subscription>::iterator it);
    void scheduleTick();
    void tick();
    void pruneStreams();
    // False when the id was seen within its memory; remembers it otherwise (bounded).
    bool rememberId(const std::string& key, std::chrono::system_clock::time_point until);
    // Writes the admitted messages already handed to the streams.
    void storeAdmitted();
    // Writes up to `budget` of what is held for the device while its mailbox has room, in order.
    void releaseHeld(const std::string& deviceId, std::size_t budget);
    // held_'s size where other threads read it (/health).
    void publishHeld();
    // A message from the DHT a full mailbox refused: held, or past the hold's bounds refetched.
    void holdOrRefetch(MailboxEntry entry);
    // A message from the DHT the mailbox did not keep (full, or failed): its id is forgotten
    // and its device waits for a refetch of that subscription.
    void forgetForRefetch(const std::string& deviceId, const std::string& token, const std::string& messageId);
    // For the devices whose mailbox refused messages from the DHT and is now at most half
    // full: the DHT hands their subscriptions' keys over again, in one bounded pass.
    void refetchOverflowed();

    asio::strand<asio::io_context::executor_type> strand_;
    node::PushNetwork& network_;
    Mailbox& mailbox_;
    HubLimits limits_;
    asio::steady_timer timer_;
    // The hub as the router's callback sees it: set by start(), so a value never reaches a hub
    // that is gone.
    std::shared_ptr<std::weak_ptr<DeliveryHub>> self_ = std::make_shared<std::weak_ptr<DeliveryHub>>();
    std::shared_ptr<node::SubscriptionRouter> router_;
    std::unordered_map<std::string, Subscription> subscriptions_;  // by token
    std::unordered_map<std::string, std::vector<std::shared_ptr<EventStream>>> streams_;  // by device
    // Indexes, so that a closed connection or a deleted device costs no scan of everything.
    std::unordered_map<ConnectionId, std::string> deviceOfConnection_;
    std::unordered_map<std::string, std::unordered_set<std::string>> tokensOfDevice_;
    // "<token> <message id>" → until when a copy of it may still arrive from the DHT;
    // FORGOTTEN_ID for an id the mailbox did not keep: taken again before the next tick erases
    // it (with the expired ones), it keeps its place in seenOrder_ instead of a second one.
    std::unordered_map<std::string, std::chrono::system_clock::time_point> seen_;
    static constexpr auto FORGOTTEN_ID = std::chrono::system_clock::time_point::min();
    std::deque<std::string> seenOrder_;  // seen_'s keys, oldest first (may hold expired ones)
    // Devices whose full mailbox refused messages: not refetched before the time (one entry
    // a device at most, so bounded by the devices).
    struct Overflow {
        std::chrono::steady_clock::time_point notBefore;
        std::set<std::string> tokens;  // the subscriptions whose messages were not kept
    };
    std::unordered_map<std::string, Overflow> overflowed_;
    std::deque<std::string> overflowOrder_;  // overflowed_'s devices, each once, first come first
    std::chrono::steady_clock::time_point nextRefetch_{};  // no pass before
    std::uint64_t storageRefusedReported_{0};  // on the strand: what tick() has reported
    std::uint64_t receiveDropsReported_{0};    // likewise
    bool dhtConnected_{false};                 // as last logged
    std::atomic<std::size_t> openStreams_{0};  // the streams in streams_
    std::atomic<std::size_t> refetchWaiting_{0};  // overflowed_.size()
    HeldMessages held_;
    std::size_t heldTurn_{0};  // where the tick's releases start among the holding devices
    std::atomic<std::size_t> heldMessages_{0}, heldBytes_{0};  // held_'s, for /health
    LatencyHistogram deliveryLatency_;
    std::vector<MailboxEntry> admitted_;  // handed to the streams, not yet written
    std::vector<OutcomeCallback> admittedDone_;  // one per admitted_ entry (may be empty)
    std::vector<bool> admittedFromDht_;          // one per admitted_ entry
    EnvelopeProofChecker proofs_;  // VAPID proofs of DHT envelopes, cached and budgeted
    HubCounters counters_;
    std::atomic<std::size_t> seenIdCount_{0};  // seen_.size(), for /health
    bool stopped_{false};
};

}  // namespace dhtpush::proxy
