#pragma once
// One device's Server-Sent Events stream over a chunked HTTP response.
// Used from the delivery hub's strand only; restinio moves writes onto the connection's strand.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "dhtpush/node/envelope.h"
#include "http_types.h"

namespace dhtpush::proxy {

class EventStream {
public:
    using Response = restinio::response_builder_t<restinio::chunked_output_t>;
    // A stream with this many writes not yet on the socket belongs to a device that stopped
    // reading: it is closed rather than buffered without bound.
    static constexpr int MAX_WRITES_IN_FLIGHT = 256;

    // The stream carries messages of `minUrgency` and above; the others wait in the mailbox.
    EventStream(std::string deviceId, ConnectionId connection, Response response,
                node::Urgency minUrgency = node::Urgency::VeryLow);

    const std::string& deviceId() const { return deviceId_; }
    ConnectionId connection() const { return connection_; }
    bool alive() const { return state_->alive; }
    bool carries(node::Urgency urgency) const { return urgency >= minUrgency_; }

    // False when the stream is dead or stalled (and is now closed).
    bool send(const std::string& eventId, const std::string& data);
    // Several events in one write (a backlog page): a long backlog is a few writes, not one
    // per message, so it never reaches MAX_WRITES_IN_FLIGHT.
    struct Event {
        std::string id, data;
    };
    bool sendPage(const std::vector<Event>& events);
    void ping();
    void close();

private:
    struct State {
        std::atomic<bool> alive{true};
        std::atomic<int> inFlight{0};
    };
    bool write(std::string chunk);

    std::string deviceId_;
    ConnectionId connection_;
    Response response_;
    node::Urgency minUrgency_;
    std::shared_ptr<State> state_;
    bool closed_{false};
};

}  // namespace dhtpush::proxy
