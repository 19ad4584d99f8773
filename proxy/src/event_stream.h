#pragma once
// One device's Server-Sent Events stream, as chunks of its connection's chunked response.
// Used from the delivery hub's strand only; the connection moves writes onto its socket's
// executor.
#include <memory>
#include <string>
#include <vector>

#include "dhtpush/node/envelope.h"
#include "http_types.h"
#include "stream_connection.h"

namespace dhtpush::proxy {

class EventStream {
public:
    // The stream carries messages of `minUrgency` and above; the others wait in the mailbox.
    // A device that stops reading is closed by its connection (StreamConnection::MAX_WRITES_QUEUED
    // and the write time limit), not buffered without bound.
    EventStream(std::string deviceId, ConnectionId connection, std::shared_ptr<StreamConnection> socket,
                node::Urgency minUrgency = node::Urgency::VeryLow);

    const std::string& deviceId() const { return deviceId_; }
    ConnectionId connection() const { return connection_; }
    bool alive() const { return socket_->alive(); }
    bool carries(node::Urgency urgency) const { return urgency >= minUrgency_; }

    // False when the stream is dead or stalled (and is now closed).
    bool send(const std::string& eventId, const std::string& data);
    // Several events in one write (a backlog page): a long backlog is a few writes, not one
    // per message, so it never reaches the connection's bound on queued writes.
    struct Event {
        std::string id, data;
    };
    bool sendPage(const std::vector<Event>& events);
    void ping();
    void close();

private:
    std::string deviceId_;
    ConnectionId connection_;
    std::shared_ptr<StreamConnection> socket_;
    node::Urgency minUrgency_;
};

}  // namespace dhtpush::proxy
