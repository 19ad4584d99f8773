#include "dht_send.h"

#include <future>
#include <iostream>
#include <thread>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/node/direct_publish.h"
#include "dhtpush/node/host_port.h"

namespace dhtpush::client {
namespace {

// "Name: value" of the request's headers, by name (as buildPushRequest writes them).
std::string headerValue(const HttpRequest& request, const std::string& name) {
    const auto prefix = name + ": ";
    for (const auto& header : request.headers)
        if (header.rfind(prefix, 0) == 0) return header.substr(prefix.size());
    return {};
}

int fail(const std::string& what) {
    std::cerr << "dhtpush: send --dht: " << what << "\n";
    return 1;
}

}  // namespace

Expected<node::Envelope> envelopeForEndpoint(const std::string& endpoint, const std::string& message,
                                             const PushOptions& options, std::int64_t nowUnixMs) {
    auto request = buildPushRequest(endpoint, message, options, nowUnixMs / 1000);
    if (!request) return request.error();
    if (options.ttlSeconds > node::MAX_TTL_SECONDS)
        return makeError(Errc::Invalid, "a TTL above " + std::to_string(node::MAX_TTL_SECONDS) + " s (28 days)");
    node::Envelope e;
    e.id = crypto::randomBytes(node::MESSAGE_ID_BYTES);
    e.createdMs = static_cast<std::uint64_t>(nowUnixMs);
    e.ttlSeconds = options.ttlSeconds;
    const auto urgency = headerValue(*request, "Urgency");
    if (!urgency.empty()) {
        auto parsed = node::parseUrgency(urgency);
        if (!parsed) return makeError(Errc::Invalid, "urgency is very-low, low, normal or high, not '" + urgency + "'");
        e.urgency = *parsed;
    }
    e.topic = headerValue(*request, "Topic");
    e.encoding = headerValue(*request, "Content-Encoding");
    e.vapid = headerValue(*request, "Authorization");
    e.body.assign(request->body.begin(), request->body.end());
    // What every node would refuse is refused here, before anything is put.
    if (auto valid = node::decodeEnvelope(node::encodeEnvelope(e)); !valid) return valid.error();
    return e;
}

int sendThroughDhtCommand(const DhtSendOptions& dht, const std::string& endpoint, const std::string& message,
                          const PushOptions& options) {
    const auto at = endpoint.rfind("/wp/");
    const auto token = at == std::string::npos ? std::nullopt : crypto::SubscriptionToken::parse(endpoint.substr(at + 4));
    if (!token) return fail("the endpoint does not end in /wp/<token>: " + endpoint);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    auto envelope = envelopeForEndpoint(endpoint, message, options, now.count());
    if (!envelope) return fail(envelope.error().detail);
    const auto peer = node::splitHostPort(dht.bootstrap);
    if (!peer) return fail("--dht takes HOST:PORT, not '" + dht.bootstrap + "'");

    dht::DhtRunner runner;
    dht::DhtRunner::Config config;
    config.dht_config.node_config.network = node::dhtNetworkId(dht.network, dht.inboxKeys);
    config.threaded = true;
    runner.run(0, config);
    runner.bootstrap(peer->host, peer->port);
    const auto deadline = std::chrono::steady_clock::now() + dht.deadline;
    bool stored = false;
    // A node that has just joined may not know the storing nodes yet: its first put can find
    // none. Put again until one takes it, each attempt bounded, all within the deadline.
    while (!stored && std::chrono::steady_clock::now() < deadline) {
        auto taken = std::make_shared<std::promise<bool>>();
        auto answer = taken->get_future();
        node::publishToToken(runner, *token, *envelope, [taken](bool ok) { taken->set_value(ok); },
                             node::InboxKeys(dht.inboxKeys));
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (answer.wait_for(std::min(left, std::chrono::milliseconds(10000))) == std::future_status::ready) stored = answer.get();
        if (!stored) std::this_thread::sleep_for(std::chrono::milliseconds(500));  // not a busy loop against a cold node
    }
    runner.shutdown({}, true);
    runner.join();
    if (!stored) return fail("no DHT node took the message within " + std::to_string(dht.deadline.count()) + " s");
    std::cout << "sent: " << crypto::base64urlEncode(envelope->id) << " into the DHT at " << node::pushKeyFor(*token).toString()
              << " (TTL " << envelope->ttlSeconds << " s)" << std::endl;
    return 0;
}

}  // namespace dhtpush::client
