#include "dhtpush/node/inbox_keys.h"

#include <string>

#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/secret.h"

namespace dhtpush::node {

namespace {

constexpr InboxKeyScheme ALL_SCHEMES[] = {InboxKeyScheme::Lanes, InboxKeyScheme::Wide, InboxKeyScheme::Single};

}  // namespace

std::optional<InboxKeyScheme> parseInboxKeyScheme(std::string_view name) {
    for (auto scheme : ALL_SCHEMES)
        if (name == nameOf(scheme)) return scheme;
    return std::nullopt;
}

std::string inboxKeySchemeNames() {
    std::string names;
    for (auto scheme : ALL_SCHEMES) names += (names.empty() ? "" : ", ") + std::string(nameOf(scheme));
    return names;
}

std::string_view nameOf(InboxKeyScheme scheme) {
    switch (scheme) {
        case InboxKeyScheme::Wide: return "wide";
        case InboxKeyScheme::Single: return "single";
        case InboxKeyScheme::Lanes: break;
    }
    return "lanes";
}

unsigned InboxKeys::lanes() const {
    switch (scheme_) {
        case InboxKeyScheme::Wide: return 4 * crypto::INBOX_LANES;
        case InboxKeyScheme::Single: return 1;
        case InboxKeyScheme::Lanes: break;
    }
    return crypto::INBOX_LANES;
}

crypto::DhtKey InboxKeys::laneKey(const crypto::DhtKey& inboxKey, unsigned lane) const {
    return crypto::inboxLaneKey(inboxKey, lane, lanes());
}

std::uint32_t dhtNetworkId(std::uint32_t networkId, InboxKeyScheme scheme) {
    if (scheme == InboxKeyScheme::Lanes) return networkId;
    // XOR with 32 bits that only this scheme's name gives: one network id per (id, scheme).
    const auto tag = crypto::sha256("dhtpush/inbox-key-scheme/" + std::string(nameOf(scheme)));
    std::uint32_t mask = 0;
    for (int i = 0; i < 4; ++i) mask = (mask << 8) | tag[static_cast<std::size_t>(i)];
    const auto id = networkId ^ mask;
    return id == 0 ? 1 : id;  // never OpenDHT's public network
}

}  // namespace dhtpush::node
