#pragma once
// The connection of one device's event stream, once restinio has parsed its request: the
// socket alone, taken out of restinio's connection (as restinio's own WebSocket upgrade takes
// it). A stream stays open for hours and reads nothing more (one byte's read stays outstanding,
// to hear the client close at once), so it keeps none of restinio's per-connection state (read
// buffer, write context, parser, header lists, timer): a connected device then costs about half
// the memory (docs/performance.md, *Memory per connected device*).
#include <cstddef>
#include <memory>
#include <string>

#include "http_types.h"

namespace dhtpush::proxy {

class StreamConnection {
public:
    // Bytes not yet on the socket, counted in writes: a device that stopped reading is
    // closed rather than buffered without bound.
    static constexpr std::size_t MAX_WRITES_QUEUED = 256;

    virtual ~StreamConnection() = default;

    // Sends `text` as one chunk of the chunked response. False when the connection is closed,
    // or stalled (and is now closed): MAX_WRITES_QUEUED writes waiting, or one on the socket
    // for longer than the listener's write time limit.
    virtual bool sendChunk(std::string text) = 0;
    // Ends the response (its last chunk, best effort: a client that stopped reading is not
    // waited for) and closes the connection. The listener's connection-state listener hears
    // of it, as of a connection restinio closes. Once only; later calls do nothing.
    virtual void close() = 0;
    virtual bool alive() const = 0;
};

// The response head of an event stream, then its connection: restinio has written nothing for
// this request yet, so the head is the stream's own. Null when the request's connection is
// not one of `Traits` or was already taken (then nothing was written and the request is
// restinio's as before). One function per listener: takeHttpStream (plain) and
// takeHttpsStream (https_listener.h).
using StreamTaker = std::shared_ptr<StreamConnection> (*)(const RequestHandle& req, const std::string& head);

std::shared_ptr<StreamConnection> takeHttpStream(const RequestHandle& req, const std::string& head);

}  // namespace dhtpush::proxy
