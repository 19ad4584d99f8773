#include "event_stream.h"

namespace dhtpush::proxy {

EventStream::EventStream(std::string deviceId, ConnectionId connection, Response response)
    : deviceId_(std::move(deviceId)), connection_(connection), response_(std::move(response)),
      state_(std::make_shared<State>()) {}

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

bool EventStream::send(const std::string& eventId, const std::string& data) {
    // data is one line of JSON: SSE forbids raw newlines inside a data field. An event
    // without an id (a TTL-0 message, never stored) leaves the device's Last-Event-ID alone.
    return write((eventId.empty() ? std::string() : "id: " + eventId + "\n") + "event: message\ndata: " + data + "\n\n");
}

void EventStream::ping() { write(": keep-alive\n\n"); }

void EventStream::close() {
    if (closed_) return;
    closed_ = true;
    state_->alive = false;
    response_.done();
}

}  // namespace dhtpush::proxy
