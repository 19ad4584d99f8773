#pragma once
// HTTP/1.1 over a plain TCP socket bound to a chosen loopback source address (127.0.0.2,
// 127.0.0.3, ...): per-source limits of a node, seen from several clients on one machine.
// Throws std::runtime_error when the connection cannot be made.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dhtpush::test {

// A TCP connection from `source` to 127.0.0.1:port; closed with the object.
class RawConnection {
public:
    // sourcePort 0: any; another is bound with SO_REUSEADDR, so that two connections may
    // share a source address and port towards two listeners. receiveBufferBytes, when set, is
    // the socket's SO_RCVBUF (before the connection: it bounds the window offered): a client
    // that stops reading fills it soon.
    RawConnection(const std::string& source, std::uint16_t port, std::uint16_t sourcePort = 0,
                  int receiveBufferBytes = 0);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // True when the server closed the connection within `timeout`.
    bool closedWithin(std::chrono::milliseconds timeout);
    void send(const std::string& bytes);
    // Reads until the server closes the connection or `timeout` passes.
    std::string readAll(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Reads until `enough(what was read)`, the server closes the connection or `timeout` passes.
    std::string readUntil(const std::function<bool(const std::string&)>& enough, std::chrono::milliseconds timeout);

private:
    int fd_;
};

struct RawResponse {
    int status{0};
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
};

// One request on a new connection from `source` (with `Connection: close`); `headers` are
// whole lines without CRLF. status 0 when no response came.
RawResponse rawRequest(const std::string& source, std::uint16_t port, const std::string& method,
                       const std::string& path, const std::vector<std::string>& headers = {},
                       const std::string& body = {});

// The port of a base URL such as http://127.0.0.1:8080.
std::uint16_t portOf(const std::string& url);

}  // namespace dhtpush::test
