#include "event_stream.h"

namespace dhtpush::proxy {

EventStream::EventStream(std::string deviceId, ConnectionId connection, Response response, node::Urgency minUrgency)
    : deviceId_(std::move(deviceId)), connection_(connection), response_(std::move(response)),
      minUrgency_(minUrgency), state_(std::make_shared<State>()) {}

bool EventStream::write(std::string chunk) {
    if (closed_ || !state_->alive) return false;
    if (state_->inFlight >= MAX_WRITES_IN_FLIGHT) {
        close();
        return false;
    }
    ++state_->inFlight;
    response_.append_chunk(std::move(chunk));
    response_.flush([state = state_](const restinio::asio_ns::error_code& ec) {
        --state->inFlight;
        if (ec) state->alive = false;
    });
    return true;
}

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
    return write(std::move(chunk));
}

bool EventStream::sendPage(const std::vector<Event>& events) {
    std::string chunk;
    for (const auto& e : events) appendEvent(chunk, e.id, e.data);
    return write(std::move(chunk));
}

void EventStream::ping() { write(": keep-alive\n\n"); }

void EventStream::close() {
    if (closed_) return;
    closed_ = true;
    state_->alive = false;
    response_.done();
}

}  // namespace dhtpush::proxy
