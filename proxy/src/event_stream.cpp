#include "event_stream.h"

namespace dhtpush::proxy {

EventStream::EventStream(std::string deviceId, ConnectionId connection, std::shared_ptr<StreamConnection> socket,
                         node::Urgency minUrgency)
    : deviceId_(std::move(deviceId)), connection_(connection), socket_(std::move(socket)), minUrgency_(minUrgency) {}

namespace {

// data is one line of JSON: SSE forbids raw newlines inside a data field. An event without
// an id (a TTL-0 message, never stored) leaves the device's Last-Event-ID alone.
void appendEvent(std::string& out, const std::string& eventId, const std::string& data) {
    if (!eventId.empty()) out += "id: " + eventId + "\n";
    out += "event: message\ndata: " + data + "\n\n";
}

}  // namespace

bool EventStream::send(const std::string& eventId, const std::string& data) {
    std::string chunk;
    appendEvent(chunk, eventId, data);
    return socket_->sendChunk(std::move(chunk));
}

bool EventStream::sendPage(const std::vector<Event>& events) {
    std::string chunk;
    for (const auto& e : events) appendEvent(chunk, e.id, e.data);
    return socket_->sendChunk(std::move(chunk));
}

void EventStream::ping() { socket_->sendChunk(": keep-alive\n\n"); }

void EventStream::close() { socket_->close(); }

}  // namespace dhtpush::proxy
