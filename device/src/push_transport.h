#pragma once
// How the distributor reaches the network: subscriptions that have a WebPush endpoint, and
// the messages sent to them. Today one transport exists (dhtpush proxies over event streams,
// proxy_transport.h); another (e.g. IMAP IDLE on a mail account) plugs in here without
// touching the D-Bus side.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "dhtpush/client/message_listener.h"
#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"

namespace dhtpush::device {

struct PushSubscription {
    std::string pushToken;  // names the subscription to the transport
    std::string endpoint;   // where application servers POST (RFC 8030)
};

struct IncomingMessage {
    std::string pushToken;
    std::string id;      // unique per message; the same on every path it arrives by
    crypto::Bytes body;  // as the application server POSTed it (RFC 8291 aes128gcm)
};

class PushTransport {
public:
    using Handler = std::function<client::Disposition(const IncomingMessage&)>;

    virtual ~PushTransport() = default;
    // A new subscription; a non-empty vapidKey binds that application server key to it.
    virtual Expected<PushSubscription> subscribe(const std::string& vapidKey) = 0;
    virtual Status unsubscribe(const std::string& pushToken) = 0;
    // Tells the network these messages were handed on outside run()'s handler (a message it
    // kept, handed later): they are not sent again.
    virtual Status acknowledge(const std::vector<std::string>& messageIds) = 0;
    // A message run()'s handler Kept and that was handed on since: acknowledged (with the
    // next batch while run() runs, at once otherwise), and its copies are not handed again.
    virtual void handedLater(const std::string& messageId) = 0;
    // Receives until `stop` is set, one message at a time; a Handed or Dropped message is
    // acknowledged to the network, a Kept one stays there for a later session.
    virtual Status run(const std::atomic<bool>& stop, const Handler& handle) = 0;
    // From any thread: messages below this urgency (RFC 8030 §5.3) wait in the network until
    // it is lowered again (the device is on battery).
    virtual void setMinUrgency(node::Urgency urgency) = 0;
    // Told (from run()'s threads) when a subscription's endpoint moved, its old one gone for
    // good: the app must give its server the new one. Set before run().
    using EndpointMoved = std::function<void(const std::string& pushToken, const std::string& endpoint)>;
    virtual void onEndpointMoved(EndpointMoved moved) { (void)moved; }
};

}  // namespace dhtpush::device
