#include "dhtpush/node/token_publisher.h"

namespace dhtpush::node {

TokenPublisher::TokenPublisher(PushNetwork& network, PublishLimits limits, WatchedHere watchedHere)
    : network_(network), limits_(limits), watchedHere_(std::move(watchedHere)), budget_(limits.maxKeys) {}

std::optional<PublishRefusal> TokenPublisher::ready() const {
    if (!limits_.standalone && !network_.connected())
        return PublishRefusal{{Errc::Unavailable, "this node is not connected to the DHT; retry later"}, {}};
    if (network_.publishBacklog() >= limits_.maxBacklog)
        return PublishRefusal{{Errc::Unavailable, "this node is busy publishing into the DHT; retry in a second"},
                              std::chrono::seconds(1)};
    return std::nullopt;
}

bool TokenPublisher::takesNewKey(const crypto::SubscriptionToken& token) const {
    const auto key = token.dhtKey();
    return !budget_.counts(key) && !watchedHere_(key);
}

std::optional<PublishRefusal> TokenPublisher::admit(const crypto::SubscriptionToken& token) {
    const auto key = token.dhtKey();
    if (watchedHere_(key) || budget_.admit(key, PublishKeyBudget::Clock::now())) return std::nullopt;
    return PublishRefusal{
        {Errc::Unavailable, "this node has sent to too many distinct endpoints lately; retry later or at another node"},
        std::chrono::seconds(60)};
}

void TokenPublisher::publish(const crypto::SubscriptionToken& token, const Envelope& envelope,
                             PushNetwork::DoneCallback done) {
    network_.publish(token.dhtKey(), token.recipient(), envelope, std::move(done));
}

}  // namespace dhtpush::node
