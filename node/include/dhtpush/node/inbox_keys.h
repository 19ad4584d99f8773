#pragma once
// The inbox key scheme: at which DHT keys a node puts an inbox's values (version-2 and -3
// tokens) and at which it watches them. A choice of the node, made in one place: the proxy
// speaks tokens (SubscriptionRouter) and never sees a key of a lane.
//
// - lanes (the default): 16 keys an inbox, lane n's key the inbox key with its last byte
//   XORed with n (dhtpush/crypto/inbox_lanes.h). A sender spreads a busy inbox over as many
//   as its rate needs (LaneChooser); a watcher listens to all 16.
// - wide: the same with 64 lanes. Each key of a busy inbox holds a quarter of the values,
//   and OpenDHT's work for each value at a key grows with the values the key holds; for 4x
//   the listens of each inbox, and up to 4x the searches of a busy sender.
// - single: one key an inbox, the inbox key itself: one listen an inbox, for networks where
//   no inbox is busy.
// - slotted: the 16 keys of lanes, and every value tagged with the minute its sender put it
//   (its OpenDHT user_type, slotTag). A watcher listens to each lane for three tags, the
//   current minute's and the ones next to it (clock skew), and moves its listens each
//   minute: OpenDHT's listen cache, which walks every value it holds for a listen each time
//   a storing node reports one, then holds one minute of a lane's values instead of ten.
//   OpenDHT drops what storing nodes report to such a listen, so the watcher also reads its
//   listens' caches every 5 s (DhtNode::pollSlotListens, node/src/slot_seen_values.h), and
//   once more just before a slot's listens end (DhtNode::moveSlotListens).
//
// Every node of a network must use the same scheme, or a watcher would miss what a sender
// puts at a key it does not watch. So the scheme is part of the DHT network id
// (dhtNetworkId): nodes of different schemes never join one another's DHT, and a mismatch
// shows as a node that finds no peers, never as messages lost after a 201.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/crypto/token.h"

namespace dhtpush::node {

enum class InboxKeyScheme { Lanes, Wide, Single, Slotted };

std::optional<InboxKeyScheme> parseInboxKeyScheme(std::string_view name);
std::string_view nameOf(InboxKeyScheme scheme);
// "lanes, wide, single, slotted": for usage messages.
std::string inboxKeySchemeNames();

// The keys of one scheme.
class InboxKeys {
public:
    explicit InboxKeys(InboxKeyScheme scheme = InboxKeyScheme::Lanes) : scheme_(scheme) {}
    InboxKeyScheme scheme() const { return scheme_; }
    // Keys an inbox's values may be put at, all watched: 16, 64 or 1.
    unsigned lanes() const;
    // The key of `lane` (taken modulo lanes()) of the inbox whose key is `inboxKey`. Lanes
    // differ in their last byte only: they keep the inbox's storing nodes and placement.
    crypto::DhtKey laneKey(const crypto::DhtKey& inboxKey, unsigned lane) const;

    // DHT listens a watcher holds for one inbox: a lane each, three a lane with slots.
    unsigned listensPerInbox() const;

    // Time slots (slotted only): how long one lasts, 0 for the schemes without.
    std::chrono::seconds slotLength() const;
    // The tag a sender sets on a value it puts at `unixSeconds` (its own clock); empty
    // without slots.
    std::string slotTag(std::int64_t unixSeconds) const;
    // The tags a watcher listens for at `unixSeconds`: the current slot's and its neighbours',
    // so that a sender whose clock is less than one slot ahead or behind is heard; empty
    // without slots.
    std::vector<std::string> listenedSlotTags(std::int64_t unixSeconds) const;

private:
    InboxKeyScheme scheme_;
};

// The id of the OpenDHT network a node of `networkId` joins with `scheme`: `networkId`
// itself for the default scheme (nodes before schemes were chosen join as before), another
// id derived from both for the others.
std::uint32_t dhtNetworkId(std::uint32_t networkId, InboxKeyScheme scheme);

}  // namespace dhtpush::node
