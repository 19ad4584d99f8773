#pragma once
// The device side of the device API: attach to a proxy, manage subscriptions, and
// receive the event stream.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "dhtpush/expected.h"
#include "dhtpush/node/message_json.h"

namespace dhtpush::client {

// Turns a problem+json answer (or any non-2xx) into an Error with the server's detail.
Error errorFromResponse(long status, const std::string& body);

Expected<ProxyAccount> attachDevice(const std::string& proxyUrl);

struct CreatedSubscription {
    std::string token;
    std::string endpoint;
};
// An empty token asks the proxy to make one.
// A non-empty vapidKey binds that application server key (base64url P-256 point): the
// proxy then accepts only messages signed with it (VAPID).
Expected<CreatedSubscription> addSubscription(const ProxyAccount& account, const std::string& token,
                                              const std::string& vapidKey = "");
Status removeSubscription(const ProxyAccount& account, const std::string& token);
// Removes the device and its subscriptions from the proxy (gone already counts as done).
Status detachDevice(const ProxyAccount& account);

// Streams messages until the server closes the stream, `stop` is set or onMessage returns
// false (that message is not taken). Malformed events are skipped. With `lastEventId`,
// resumes after it (Last-Event-ID) and keeps it at the last message taken. Returns an
// error for HTTP errors and transport failures. Messages below `minUrgency` stay in the
// proxy's mailbox until a stream that carries them (a device on battery takes fewer).
// `onOpen` runs once the proxy has started the stream (its first bytes arrived).
Status streamMessages(const ProxyAccount& account, const std::function<bool(const node::DeliveredMessage&)>& onMessage,
                      const std::atomic<bool>& stop, std::string* lastEventId = nullptr,
                      node::Urgency minUrgency = node::Urgency::VeryLow, const std::function<void()>& onOpen = {});

// Tells the proxy these messages were handed on: it deletes them from the mailbox.
Status acknowledge(const ProxyAccount& account, const std::vector<std::string>& messageIds);

}  // namespace dhtpush::client
