#include "dhtpush/node/dht_node.h"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <opendht/dhtrunner.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "dhtpush/node/all_done.h"
#include "asio_udp_socket.h"
#include "dht_loop.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/node/envelope_batch.h"
#include "dhtpush/node/push_value_type.h"
#include "inbox_publisher.h"
#include "lane_chooser.h"
#include "dhtpush/node/host_port.h"
#include "node_identity.h"
#include "proxy_directory.h"
#include "slot_seen_values.h"
#include "storage_budget.h"

namespace dhtpush::node {

struct DhtNode::Impl {
    // Declared first, so the runner (which owns the socket) goes before the io_context.
    asio::io_context ownIo;  // used when the config names no io_context
    asio::io_context* io{&ownIo};
    std::optional<DhtStrand> strand;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;  // runs ownIo
    std::unique_ptr<InboxPublisher> inboxes;  // before the runner: its callbacks end here
    std::shared_ptr<StorageBudget> budget;    // shared with the value types' store policies
    dht::DhtRunner runner;
    std::unique_ptr<DhtLoop> loop;
    std::unique_ptr<ProxyDirectory> directory;  // after the runner: it holds a reference to it
    std::string identity;
    AsioUdpSocket* socket{nullptr};  // owned by the runner
    std::mutex mutex;
    struct Listen {
        dht::InfoHash key;
        std::shared_future<size_t> token;
        std::string slotTag;  // the values it hears under a slotted scheme; empty: all
    };
    struct Watch {
        std::vector<Listen> listens;  // one per key (and slot): an inbox's lanes, or a key of its own
        std::shared_ptr<std::atomic<bool>> active;
        std::vector<dht::InfoHash> slottedLanes;  // the lanes whose listens move with the slots
        std::shared_ptr<SlotSeenValues> seen;     // slotted: what the slot listens handed over
        dht::ValueCallback slotValues;            // slotted: onValues, each value once
        dht::ValueCallback allValues;             // onValues: every value (refetch)
        std::vector<dht::InfoHash> keys;          // one per lane (or the key of its own)
    };
    std::vector<std::string> slotTags;  // listened to now under a slotted scheme; guarded by mutex
    std::chrono::steady_clock::time_point lastSlotPoll{};  // the strand's
    std::map<WatchId, Watch> watches;  // guarded by mutex
    WatchId nextWatchId{1};            // guarded by mutex
    bool stopped{false};
    std::atomic<bool> connected{false};  // kept by OpenDHT's status callback
    // What status() reports of the DHT, sampled on the strand: asking the runner takes its
    // lock, which its loop holds while it works, so /health would wait for a busy DHT.
    std::optional<asio::steady_timer> sampler;
    std::string nodeId;
    std::atomic<bool> running{false};
    std::atomic<bool> closing{false};
    std::atomic<unsigned> goodNodes{0}, dubiousNodes{0};
    std::atomic<std::uint64_t> storedBytes{0}, storedValues{0}, receiveDrops{0};
    std::shared_ptr<std::atomic<std::size_t>> publishing = std::make_shared<std::atomic<std::size_t>>(0);
    std::atomic<std::uint64_t> published{0}, ownValuesPut{0};
    InboxKeys inboxKeys;
    std::optional<LaneChooser> lanes;  // which lane of an inbox each value goes to
    std::shared_ptr<std::atomic<std::uint64_t>> valuesFailed = std::make_shared<std::atomic<std::uint64_t>>(0);
    // The self-probe; the fields without atomics are the strand's.
    std::chrono::steady_clock::duration probeInterval{};
    std::chrono::steady_clock::time_point lastProbeSent{};
    std::uint64_t probePending{0};  // the sequence number of the probe awaiting its answer, 0: none
    std::atomic<std::int64_t> lastProbeOkUnixMs{0};
    std::atomic<std::uint64_t> probesSent{0}, probesFailed{0};
};

namespace {

dht::InfoHash toInfoHash(const crypto::DhtKey& key) { return dht::InfoHash(key.data(), key.size()); }

crypto::DhtKey toDhtKey(const dht::InfoHash& hash) {
    crypto::DhtKey key;
    std::copy_n(hash.data(), key.size(), key.begin());
    return key;
}

bool admit(StorageBudget& budget, const crypto::DhtKey& key, std::size_t bytes) {
    return budget.admit(key, bytes, StorageBudget::Clock::now()) == StorageBudget::Verdict::Admitted;
}

// The same place in the other address family: the node runs both where it can, as
// `dhtnode` does (the socket explains why OpenDHT needs both to listen properly).
std::optional<std::string> otherFamilyAddress(const std::string& address) {
    if (address == "0.0.0.0") return "::";
    if (address == "::") return "0.0.0.0";
    if (address == "127.0.0.1") return "::1";
    if (address == "::1") return "127.0.0.1";
    return std::nullopt;  // a given address: that one only
}

// How many puts to one inbox key may be in flight before messages wait for the next value.
constexpr std::size_t INBOX_PUTS_IN_FLIGHT = 2;

// The creation time of this node's puts, down to the whole second. OpenDHT 2.4 schedules an
// expiry job for each value it stores, and each job scans every value at the value's key
// (Storage::expire). Values created in the same second expire together: the first job takes
// them all and cancels the others', so a busy key costs one scan a second at its expiry
// instead of one per value. Other storing nodes already get the time in whole seconds (a
// put's "c" field is a time_t); this is for the copy OpenDHT keeps here. A value lives up to
// a second less.
dht::time_point wholeSecondNow() {
    return dht::time_point(std::chrono::duration_cast<std::chrono::seconds>(dht::clock::now().time_since_epoch()));
}

// Both value types: an envelope of its own (version-1 key) and a batch (inbox key), each as
// its own type or as OpenDHT's USER_DATA named by its user_type (pushValueKind).
bool isPushValue(const dht::Value& value) { return pushValueKind(value) != PushValueKind::None; }

// The self-probe says the DHT is not reached when this many intervals went by without a probe
// taken by another node.
constexpr int PROBES_MISSED = 3;

// Often enough for an operator's /health, rarely enough to cost nothing.
constexpr auto STATUS_SAMPLE_PERIOD = std::chrono::milliseconds(500);

// How late a slotted watch may hand over a value that reached only its listens' caches
// (pollSlotListens): a get per slot listen each time, which walks what this node stores at
// the key. Measured at 1,000 messages/s into one proxy, asking every second cost the proxy
// ~150 us a message more (docs/performance.md); most values reach a proxy's own storage
// first (its inbox keys lie next to its node id) and are heard at once.
constexpr auto SLOT_POLL_PERIOD = std::chrono::seconds(5);

}  // namespace

// On the strand, between two runs of the loop: the runner's lock is free.
// A value of ours that another node must take: put at a random key (so at other nodes than
// this one, as a rule), small, USER_DATA named by its user_type, gone after OpenDHT's 10 min.
void DhtNode::probe(Impl& state) {
    const auto now = std::chrono::steady_clock::now();
    if (state.probeInterval.count() == 0 || now - state.lastProbeSent < state.probeInterval) return;
    // A put nobody answers may not end for minutes (a peer that stopped without a word): a
    // probe unanswered after an interval failed, and its late answer is ignored.
    if (state.probePending != 0) {
        ++state.probesFailed;
        state.probePending = 0;
    }
    if (state.goodNodes == 0) return;
    state.lastProbeSent = now;
    const auto seq = ++state.probesSent;
    state.probePending = seq;
    auto value = std::make_shared<dht::Value>(dht::ValueType::USER_DATA.id, crypto::randomBytes(8), randomPushValueId());
    value->user_type = "dhtpush/probe";
    state.runner.put(dht::InfoHash::getRandom(), value,
                     [&state, seq](bool ok, const std::vector<std::shared_ptr<dht::Node>>& nodes) {
                         if (state.probePending != seq) return;
                         state.probePending = 0;
                         if (!ok || nodes.empty()) {
                             ++state.probesFailed;
                             return;
                         }
                         state.lastProbeOkUnixMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       std::chrono::system_clock::now().time_since_epoch())
                                                       .count();
                     });
    state.loop->kick();
}

void DhtNode::sampleStatus(Impl& state, bool periodic) {
    if (state.closing) return;  // and the timer stays unarmed: its io_context can run out of work
    state.running = state.runner.isRunning();
    const auto v4 = state.runner.getNodesStats(AF_INET);
    const auto v6 = state.runner.getNodesStats(AF_INET6);
    state.goodNodes = v4.good_nodes + v6.good_nodes;
    state.dubiousNodes = v4.dubious_nodes + v6.dubious_nodes;
    const auto stored = state.runner.getStoreSize();
    state.storedBytes = stored.first;
    state.storedValues = stored.second;
    if (state.socket) state.receiveDrops = state.socket->receiveDrops();
    if (!periodic) return;
    probe(state);
    moveSlotListens(state);
    pollSlotListens(state);
    state.sampler->expires_after(STATUS_SAMPLE_PERIOD);
    state.sampler->async_wait([&state](const asio::error_code& ec) {
        if (!ec) sampleStatus(state, true);
    });
}

namespace {

// Mutex held.
void listenSlot(DhtNode::Impl& state, DhtNode::Impl::Watch& watch, const dht::InfoHash& lane, const std::string& tag) {
    watch.listens.push_back(
        {lane, state.runner.listen(lane, watch.slotValues, isPushValue, dht::Where().userType(tag)).share(), tag});
}

// Mutex held. Asks a slot listen for what it holds; OpenDHT answers from the listen's cache.
void askSlotListen(DhtNode::Impl& state, const DhtNode::Impl::Watch& watch, const DhtNode::Impl::Listen& listen) {
    state.runner.get(
        listen.key,
        [cb = watch.slotValues](const std::vector<std::shared_ptr<dht::Value>>& values) { return cb(values, false); },
        dht::DoneCallbackSimple{}, isPushValue, dht::Where().userType(listen.slotTag));
}

}  // namespace

// On the strand. Under a slotted scheme, moves every inbox's listens to the slots of now once
// a slot begins: a listen for the next slot starts, the one for the slot before the last
// ends, and OpenDHT drops what it cached for it. What that listen heard since the last poll
// (pollSlotListens) would go with it, so it is asked once more first: the runner answers the
// ask before it ends the listen (one queue, in order). The ended slot's ids stay in `seen`
// until the next move, so the ask hands over only what is new.
void DhtNode::moveSlotListens(Impl& state) {
    if (state.inboxKeys.slotLength().count() == 0) return;
    auto tags = state.inboxKeys.listenedSlotTags(unixNowMs() / 1000);
    std::lock_guard<std::mutex> lock(state.mutex);
    if (tags == state.slotTags || state.stopped) return;
    auto keptTags = tags;
    keptTags.insert(keptTags.end(), state.slotTags.begin(), state.slotTags.end());
    state.slotTags = std::move(tags);
    const auto listened = [&state](const std::string& tag) {
        return std::find(state.slotTags.begin(), state.slotTags.end(), tag) != state.slotTags.end();
    };
    for (auto& [id, watch] : state.watches) {
        if (watch.slottedLanes.empty()) continue;
        auto& listens = watch.listens;
        watch.seen->keepOnly(keptTags);
        for (const auto& listen : listens) {
            if (listened(listen.slotTag)) continue;
            askSlotListen(state, watch, listen);
            state.runner.cancelListen(listen.key, listen.token);
        }
        listens.erase(std::remove_if(listens.begin(), listens.end(),
                                     [&](const Impl::Listen& listen) { return !listened(listen.slotTag); }),
                      listens.end());
        for (const auto& tag : state.slotTags) {
            const bool heard = std::any_of(listens.begin(), listens.end(),
                                           [&](const Impl::Listen& listen) { return listen.slotTag == tag; });
            if (!heard)
                for (const auto& lane : watch.slottedLanes) listenSlot(state, watch, lane, tag);
        }
    }
    state.loop->kick();
}

// On the strand. Under a slotted scheme, asks every few seconds for what each slot listen holds
// (SlotSeenValues says why: OpenDHT 2.4 drops what storing nodes report to such a listen).
// OpenDHT answers from the listen's own cache, without a request to the network.
void DhtNode::pollSlotListens(Impl& state) {
    if (state.inboxKeys.slotLength().count() == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - state.lastSlotPoll < SLOT_POLL_PERIOD) return;
    state.lastSlotPoll = now;
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopped) return;
    bool asked = false;
    for (const auto& [id, watch] : state.watches) {
        for (const auto& listen : watch.listens) {
            if (listen.slotTag.empty()) continue;
            askSlotListen(state, watch, listen);
            asked = true;
        }
    }
    if (asked) state.loop->kick();
}

DhtNode::DhtNode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DhtNode::~DhtNode() { shutdown(); }

Expected<std::unique_ptr<DhtNode>> DhtNode::start(const DhtNodeConfig& config) {
    auto impl = std::make_unique<Impl>();
    dht::DhtRunner::Config runnerConfig;
    auto& nodeConfig = runnerConfig.dht_config.node_config;
    nodeConfig.network = dhtNetworkId(config.networkId, config.inboxKeys);
    impl->inboxKeys = InboxKeys(config.inboxKeys);
    impl->lanes.emplace(impl->inboxKeys.lanes());
    impl->slotTags = impl->inboxKeys.listenedSlotTags(unixNowMs() / 1000);
    if (config.unlimitedRate) {
        nodeConfig.max_req_per_sec = -1;
        nodeConfig.max_peer_req_per_sec = -1;
        nodeConfig.max_searches = -1;
    }
    runnerConfig.dht_config.node_config.public_stable = config.stableListens;
    impl->probeInterval = config.probeInterval;
    auto storage = config.storage;
    storage.lifetime = config.valueExpiration;
    impl->budget = std::make_shared<StorageBudget>(storage);
    // Above ours, so push values never reach it: past it, OpenDHT sweeps all it holds on every
    // store. The margin is for other value types, which only OpenDHT bounds. OpenDHT keeps the
    // limit in an int (--dht-storage-mib is bounded to fit).
    nodeConfig.max_store_size = static_cast<ssize_t>(
        std::min<std::size_t>(storage.maxBytes + dht::DEFAULT_STORAGE_LIMIT, std::numeric_limits<int>::max()));
    runnerConfig.threaded = false;  // DhtLoop runs it on the strand
    runnerConfig.peer_discovery = false;
    runnerConfig.peer_publish = false;
    if (!config.dataDir.empty()) {
        auto identity = loadOrCreateIdentity(config.dataDir);
        if (!identity) return identity.error();
        runnerConfig.dht_config.id = *identity;
    }
    auto signingKey = loadOrCreateSigningKey(config.dataDir);
    if (!signingKey) return signingKey.error();
    const auto bind = dht::SockAddr::resolve(config.bindAddress, std::to_string(config.port));
    if (bind.empty()) return makeError(Errc::Invalid, "cannot resolve bind address " + config.bindAddress);
    if (config.strand) impl->io = &config.strand->get_inner_executor().context();
    else if (config.io) impl->io = config.io;
    if (config.strand && config.io && config.io != impl->io)
        return makeError(Errc::Invalid, "a DHT node's strand must belong to its io_context");
    impl->strand.emplace(config.strand ? *config.strand : asio::make_strand(*impl->io));
    impl->loop = std::make_unique<DhtLoop>(*impl->strand, impl->runner);
    dht::DhtRunner::Context context;
    try {
        const auto other = otherFamilyAddress(config.bindAddress);
        const auto alsoBind = other ? dht::SockAddr::resolve(*other, "0") : std::vector<dht::SockAddr>{};
        auto socket = std::make_unique<AsioUdpSocket>(
            *impl->strand, bind.front(), [loop = impl->loop.get()] { loop->run(); },
            alsoBind.empty() ? std::nullopt : std::optional<dht::SockAddr>(alsoBind.front()));
        impl->socket = socket.get();
        context.sock = std::move(socket);
    } catch (const std::exception& ex) {
        return makeError(Errc::Unavailable, "cannot start the DHT node on " + config.bindAddress + ":" +
                                                std::to_string(config.port) + ": " + ex.what());
    }
    context.statusChangedCallback = [state = impl.get()](dht::NodeStatus v4, dht::NodeStatus v6) {
        state->connected = v4 == dht::NodeStatus::Connected || v6 == dht::NodeStatus::Connected;
        // Inside the loop, which holds the runner's lock: sample right after it. Not once
        // shutting down: stopLoop's last pass on the strand must be the last handler.
        if (!state->closing) asio::post(*state->strand, [state] { sampleStatus(*state, false); });
    };
    try {
        impl->runner.run(runnerConfig, std::move(context));
    } catch (const std::exception& ex) {
        return makeError(Errc::Unavailable, "cannot start the DHT node on " + config.bindAddress + ":" +
                                                std::to_string(config.port) + ": " + ex.what());
    }
    auto admitStored = [budget = impl->budget](const dht::InfoHash& key, std::size_t bytes) {
        return admit(*budget, toDhtKey(key), bytes);
    };
    impl->runner.registerType(pushValueType(config.valueExpiration, admitStored));
    impl->runner.registerType(pushBatchValueType(config.valueExpiration, admitStored));
    impl->runner.registerType(proxyRecordValueType(config.directoryLifetime));
    impl->directory = std::make_unique<ProxyDirectory>(impl->runner, [state = impl.get()] { state->loop->kick(); },
                                                       std::move(*signingKey));
    impl->identity = impl->directory->identity();
    impl->inboxes = std::make_unique<InboxPublisher>(
        [state = impl.get()](const crypto::DhtKey& key, crypto::Bytes value, InboxPublisher::Done done) {
            const auto lane = state->inboxKeys.laneKey(key, state->lanes->next(key, LaneChooser::Clock::now()));
            // OpenDHT stores our own puts here without asking the store policy.
            if (!admit(*state->budget, lane, value.size())) {
                ++*state->valuesFailed;
                return done(false);
            }
            dht::Value batch(PUSH_BATCH_VALUE_TYPE_ID, std::move(value), randomPushValueId());
            batch.user_type = state->inboxKeys.slotTag(unixNowMs() / 1000);
            state->runner.put(toInfoHash(lane), std::move(batch),
                              dht::DoneCallbackSimple([done = std::move(done), failed = state->valuesFailed](bool ok) {
                                  if (!ok) ++*failed;
                                  done(ok);
                              }),
                              wholeSecondNow());
            state->loop->kick();
        },
        INBOX_PUTS_IN_FLIGHT);
    impl->nodeId = impl->runner.getNodeId().toString();
    impl->sampler.emplace(*impl->strand);
    asio::post(*impl->strand, [state = impl.get()] {
        state->socket->startReceiving();
        state->loop->run();
        sampleStatus(*state, true);
    });
    if (impl->io == &impl->ownIo) {
        impl->work.emplace(impl->ownIo.get_executor());
        impl->thread = std::thread([io = &impl->ownIo] { io->run(); });
    }
    std::unique_ptr<DhtNode> node(new DhtNode(std::move(impl)));
    for (const auto& entry : config.bootstrap) {
        auto hp = splitHostPort(entry);
        if (!hp) return hp.error();
        node->impl_->runner.bootstrap(hp->host, hp->port);
    }
    node->impl_->loop->kick();
    return node;
}

std::uint16_t DhtNode::port() const {
    auto p = impl_->runner.getBoundPort(AF_INET);
    return p ? p : impl_->runner.getBoundPort(AF_INET6);
}

std::optional<crypto::DhtKey> DhtNode::nodeKey() const { return toDhtKey(impl_->runner.getNodeId()); }

std::string DhtNode::nodeId() const { return impl_->nodeId; }

void DhtNode::announce(const ProxyRecord& record) { impl_->directory->announce(record, impl_->nodeId); }

std::optional<std::vector<ProxyRecord>> DhtNode::proxies() const {
    // Listened to from the first time a node is asked: most nodes never are, and a listen at
    // the one directory key held by every node of a network costs them all (measured: seven
    // nodes in one process listening there exchanged thousands of datagrams a second, which
    // held up their other puts; not understood yet, see docs/reliability.md).
    if (impl_->directory->start()) {
        impl_->loop->kick();
        return std::nullopt;
    }
    if (!impl_->directory->ready()) return std::nullopt;
    return impl_->directory->records(unixNowMs());
}

void DhtNode::bootstrap(const std::string& hostPort) {
    if (auto hp = splitHostPort(hostPort)) {
        impl_->runner.bootstrap(hp->host, hp->port);
        impl_->loop->kick();
    }
}

void DhtNode::shutdown() {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        if (impl_->stopped) return;
        impl_->stopped = true;
        for (auto& [id, watch] : impl_->watches) *watch.active = false;
        impl_->watches.clear();
    }
    impl_->closing = true;
    impl_->runner.shutdown({}, true);
    stopLoop();
    impl_->runner.join();
}

// The loop and the socket live on the strand: stop them there, or directly once nothing
// runs the io_context any more.
void DhtNode::stopLoop() {
    auto& state = *impl_;
    auto stop = [&state] {
        state.loop->run();  // sends what the shutdown queued
        state.loop->close();
        state.sampler->cancel();
        state.socket->stop();
    };
    if (state.thread.joinable()) {
        asio::post(*state.strand, stop);
        state.work.reset();
        state.thread.join();
    } else if (state.io->stopped()) {
        stop();
    } else {
        std::promise<void> stopped;
        asio::post(*state.strand, [&] {
            stop();
            // After the read pass the socket may have queued (it sees the socket closed):
            // the runner, which owns the socket, is destroyed once this is set.
            asio::post(*state.strand, [&] { stopped.set_value(); });
        });
        stopped.get_future().wait();
    }
}

void DhtNode::publish(const crypto::DhtKey& key, const crypto::Bytes& recipient, const Envelope& envelope,
                      DoneCallback done) {
    ++impl_->published;
    if (!recipient.empty()) {
        impl_->inboxes->publish(key, BatchEntry{recipient, encodeEnvelope(envelope)}, std::move(done));
        return;
    }
    ++impl_->ownValuesPut;
    dht::Value value(PUSH_VALUE_TYPE_ID, encodeEnvelope(envelope), envelopeValueId(envelope));
    if (!admit(*impl_->budget, key, value.size())) {
        ++*impl_->valuesFailed;
        if (done) done(false);
        return;
    }
    ++*impl_->publishing;
    auto finished = [done = std::move(done), publishing = impl_->publishing, failed = impl_->valuesFailed](bool ok) {
        --*publishing;
        if (!ok) ++*failed;
        if (done) done(ok);
    };
    impl_->runner.put(toInfoHash(key), std::move(value), dht::DoneCallbackSimple(std::move(finished)), wholeSecondNow());
    impl_->loop->kick();
}

PushNetwork::WatchId DhtNode::watch(const crypto::DhtKey& key, KeyKind kind, EnvelopeCallback callback) {
    auto active = std::make_shared<std::atomic<bool>>(true);
    auto onValues = [active, callback = std::make_shared<EnvelopeCallback>(std::move(callback))](const std::vector<std::shared_ptr<dht::Value>>& values,
                                                             bool expired) {
        if (!*active) return false;
        if (expired) return true;  // expiry is the mailbox's business, driven by the envelope's TTL
        // Hostile or junk values are dropped here.
        static const crypto::Bytes ownKey;
        for (const auto& value : values) {
            if (!value) continue;
            const auto valueKind = pushValueKind(*value);
            if (valueKind == PushValueKind::Envelope) {
                auto envelope = decodeEnvelope(value->data);
                if (envelope && *active) (*callback)(ownKey, *envelope);
            } else if (valueKind == PushValueKind::Batch) {
                auto batch = decodeBatch(value->data.data(), value->data.size());
                if (!batch) continue;
                for (const auto& entry : *batch)
                    if (*active) (*callback)(entry.recipient, entry.envelope);
            }
        }
        return active->load();
    };
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const auto id = impl_->nextWatchId++;
    if (impl_->stopped) return id;
    Impl::Watch watch{{}, std::move(active), {}, {}, {}, dht::ValueCallback(onValues), {}};
    const unsigned keys = kind == KeyKind::Inbox ? impl_->inboxKeys.lanes() : 1;
    const bool slotted = kind == KeyKind::Inbox && impl_->inboxKeys.slotLength().count() != 0;
    if (slotted) {
        watch.seen = std::make_shared<SlotSeenValues>();
        watch.seen->keepOnly(impl_->slotTags);
        watch.slotValues = [seen = watch.seen, onValues](const std::vector<std::shared_ptr<dht::Value>>& values,
                                                         bool expired) {
            if (expired) return onValues(values, expired);
            std::vector<std::shared_ptr<dht::Value>> fresh;
            for (const auto& value : values)
                if (value && seen->firstTime(value->user_type, value->id)) fresh.push_back(value);
            return fresh.empty() ? true : onValues(fresh, false);
        };
    }
    for (unsigned lane = 0; lane < keys; ++lane) {
        const auto hash = toInfoHash(impl_->inboxKeys.laneKey(key, lane));
        watch.keys.push_back(hash);
        // A listen alone may not hand over what the key already holds: a node restarted with
        // its persisted identity and port looks to the storing nodes like the listener they
        // already serve. So fetch what is stored once, through the same checks (all slots).
        impl_->runner.get(
            hash,
            [cb = slotted ? watch.slotValues : dht::ValueCallback(onValues)](
                const std::vector<std::shared_ptr<dht::Value>>& values) { return cb(values, false); },
            dht::DoneCallbackSimple{}, isPushValue);
        if (slotted) {
            watch.slottedLanes.push_back(hash);
            for (const auto& tag : impl_->slotTags) listenSlot(*impl_, watch, hash, tag);
        } else {
            watch.listens.push_back({hash, impl_->runner.listen(hash, onValues, isPushValue).share(), {}});
        }
    }
    impl_->watches.emplace(id, std::move(watch));
    impl_->loop->kick();
    return id;
}

unsigned DhtNode::inboxListens() const { return impl_->inboxKeys.listensPerInbox(); }

void DhtNode::cancel(WatchId id) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->watches.find(id);
    if (it == impl_->watches.end()) return;
    *it->second.active = false;
    for (const auto& listen : it->second.listens) impl_->runner.cancelListen(listen.key, listen.token);
    impl_->watches.erase(it);
    impl_->loop->kick();
}

// A get of each key, as when the watch began, without a slotted watch's memory of what it
// handed over: what the watcher could not keep then is among it.
void DhtNode::refetch(WatchId id, DoneCallback done) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->watches.find(id);
    if (it == impl_->watches.end() || impl_->stopped || it->second.keys.empty()) {
        if (done) done(it == impl_->watches.end());
        return;
    }
    // `done` once every lane's get has ended, with whether all were answered.
    const auto laneDone = allDone(it->second.keys.size(), std::move(done));
    for (const auto& hash : it->second.keys)
        impl_->runner.get(
            hash,
            [cb = it->second.allValues](const std::vector<std::shared_ptr<dht::Value>>& values) {
                return cb(values, false);
            },
            [laneDone](bool ok) { laneDone(ok); }, isPushValue);
    impl_->loop->kick();
}

bool DhtNode::connected() const { return impl_->connected; }

std::size_t DhtNode::publishBacklog() const { return *impl_->publishing + impl_->inboxes->backlog(); }

NetworkStatus DhtNode::status() const {
    NetworkStatus s;
    s.running = impl_->running;
    s.goodNodes = impl_->goodNodes;
    s.dubiousNodes = impl_->dubiousNodes;
    s.storedBytes = impl_->storedBytes;
    s.storedValues = impl_->storedValues;
    s.receiveDrops = impl_->receiveDrops;
    s.connected = impl_->connected;
    s.nodeId = impl_->nodeId;
    s.identity = impl_->identity;
    s.directoryAnnouncedUnixMs = impl_->directory->lastAnnouncedUnixMs();
    s.directoryAnnounceFailures = impl_->directory->announceFailures();
    s.directoryEntries = impl_->directory->count(unixNowMs());
    s.directoryRefused = impl_->directory->refused();
    s.messagesPublished = impl_->published;
    s.valuesPut = impl_->ownValuesPut + impl_->inboxes->valuesPut();
    s.valuesFailed = *impl_->valuesFailed;
    s.storageRefused = impl_->budget->refused();
    s.probing = impl_->probeInterval.count() > 0 && s.goodNodes > 0;
    s.lastProbeOkUnixMs = impl_->lastProbeOkUnixMs;
    // One lost probe on a loaded network is no news: the DHT counts as reached while a probe
    // went through within the last PROBES_MISSED intervals.
    const auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    const auto window = std::chrono::duration_cast<std::chrono::milliseconds>(impl_->probeInterval * PROBES_MISSED);
    s.probeOk = s.lastProbeOkUnixMs > 0 && nowMs.count() - s.lastProbeOkUnixMs <= window.count();
    s.probesSent = impl_->probesSent;
    s.probesFailed = impl_->probesFailed;
    return s;
}

Expected<std::uint32_t> parseNetworkId(std::string_view text) {
    const bool hex = text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0;
    const auto digits = hex ? text.substr(2) : text;
    std::uint32_t id = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id, hex ? 16 : 10);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
        return makeError(Errc::Invalid, "a network id is a 32-bit number, decimal or 0x-hex, not '" + std::string(text) + "'");
    return id;
}

}  // namespace dhtpush::node
