#include "dhtpush/node/inbox_keys.h"

#include <string>

#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/secret.h"

namespace dhtpush::node {

namespace {

constexpr unsigned SLOTS_LISTENED = 3;  // listenedSlotTags: the current slot and one each side

constexpr InboxKeyScheme ALL_SCHEMES[] = {InboxKeyScheme::Lanes, InboxKeyScheme::Wide, InboxKeyScheme::Single,
                                          InboxKeyScheme::Slotted};

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
        case InboxKeyScheme::Slotted: return "slotted";
        case InboxKeyScheme::Lanes: break;
    }
    return "lanes";
}

unsigned InboxKeys::lanes() const {
    switch (scheme_) {
        case InboxKeyScheme::Wide: return 4 * crypto::INBOX_LANES;
        case InboxKeyScheme::Single: return 1;
        case InboxKeyScheme::Slotted:
        case InboxKeyScheme::Lanes: break;
    }
    return crypto::INBOX_LANES;
}

crypto::DhtKey InboxKeys::laneKey(const crypto::DhtKey& inboxKey, unsigned lane) const {
    return crypto::inboxLaneKey(inboxKey, lane, lanes());
}

unsigned InboxKeys::listensPerInbox() const {
    return slotLength().count() == 0 ? lanes() : lanes() * SLOTS_LISTENED;
}

std::chrono::seconds InboxKeys::slotLength() const {
    // One minute: the clock skew a proxy allows an envelope (--max-clock-skew's default) is
    // what the neighbouring slots cover.
    return scheme_ == InboxKeyScheme::Slotted ? std::chrono::seconds(60) : std::chrono::seconds(0);
}

namespace {

std::int64_t slotAt(std::int64_t unixSeconds, std::int64_t length) {
    // Rounded down for times before 1970 too (a clock set far back still gets one slot a minute).
    return unixSeconds >= 0 ? unixSeconds / length : -((-unixSeconds + length - 1) / length);
}

std::string tagOf(std::int64_t slot) { return "s" + std::to_string(slot); }

}  // namespace

std::string InboxKeys::slotTag(std::int64_t unixSeconds) const {
    const auto length = slotLength().count();
    return length == 0 ? std::string() : tagOf(slotAt(unixSeconds, length));
}

std::vector<std::string> InboxKeys::listenedSlotTags(std::int64_t unixSeconds) const {
    const auto length = slotLength().count();
    if (length == 0) return {};
    const auto slot = slotAt(unixSeconds, length);
    return {tagOf(slot - 1), tagOf(slot), tagOf(slot + 1)};
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
