#pragma once
// The limits of an HTTP/1.1 request head, checked byte by byte before restinio sees them.
// restinio 0.6.16 closes the connection without an answer on a request it cannot parse or
// that passes its limits; a sender or an operator then sees only "connection reset". This
// check sees the same bytes first, in order, across the requests of a kept-alive connection,
// and names the first rule a request breaks, so that the node can answer it (400, 413, 414,
// 431) before the connection closes (guarded_socket.h). Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace dhtpush::proxy {

// The listeners' limits (listener_settings.h hands the same ones to restinio).
constexpr std::size_t MAX_URL_BYTES = 4096;
constexpr std::size_t MAX_HEADER_FIELDS = 100;
constexpr std::size_t MAX_FIELD_NAME_BYTES = 256;
constexpr std::size_t MAX_FIELD_VALUE_BYTES = 8192;
constexpr std::size_t MAX_REQUEST_BODY_BYTES = 1024 * 1024;

struct HeadRefusal {
    int status;          // 400, 413, 414 or 431
    std::string detail;  // what was wrong, for the problem body
};

class HttpHeadCheck {
public:
    // The next bytes of the connection. A refusal once a rule is broken; after that the
    // connection is to be answered and closed, and nothing more is looked at.
    std::optional<HeadRefusal> feed(const char* data, std::size_t size);

private:
    enum class State { RequestLine, Fields, Body, PassThrough };
    std::optional<HeadRefusal> endOfLine();
    std::optional<HeadRefusal> requestLine();
    std::optional<HeadRefusal> field();
    void startRequest();

    State state_{State::RequestLine};
    std::string line_;
    std::size_t fields_{0};
    std::optional<std::uint64_t> contentLength_;
    bool chunked_{false};
    std::uint64_t bodyLeft_{0};
};

}  // namespace dhtpush::proxy
