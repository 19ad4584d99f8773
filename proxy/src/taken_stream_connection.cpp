#include "taken_stream_connection.h"

#include "guarded_socket.h"

namespace dhtpush::proxy {

void writeWithoutWaiting(asio::ip::tcp::socket& socket, const std::string& bytes) {
    asio::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(bytes), ignored);
}

std::string httpChunk(const std::string& text) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", text.size());
    std::string chunk;
    chunk.reserve(text.size() + 24);
    chunk += size;
    chunk += text;
    chunk += "\r\n";
    return chunk;
}

std::shared_ptr<StreamConnection> takeHttpStream(const RequestHandle& req, const std::string& head) {
    // The plain stream keeps the TCP socket only: it reads no more, so it needs no head check.
    return takeStreamConnection<ProxyTraits, asio::ip::tcp::socket>(
        req, head, [](GuardedSocket&& socket) { return asio::ip::tcp::socket(std::move(socket.lowest_layer())); });
}

}  // namespace dhtpush::proxy
