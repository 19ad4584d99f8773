#pragma once
// What both listeners' socket types (guarded_socket.h, guarded_tls_socket.h) share: the
// HttpHeadCheck of one connection, and the answer to write once it refuses a request.
#include <asio/buffer.hpp>
#include <asio/error.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "http_head_check.h"

namespace dhtpush::proxy {

// The bytes of the answer to a refused request: the status, an application/problem+json
// body, Connection: close.
std::string refusalResponse(const HeadRefusal& refusal);

class RequestHeadGate {
public:
    RequestHeadGate() : check_(std::make_unique<HttpHeadCheck>()) {}
    // restinio accepts into a pool of sockets and moves each accepted one out: the one left
    // behind takes the next connection, so it gets a fresh check.
    RequestHeadGate(RequestHeadGate&& other) noexcept
        : check_(std::exchange(other.check_, std::make_unique<HttpHeadCheck>())),
          refused_(std::exchange(other.refused_, false)) {}
    RequestHeadGate& operator=(RequestHeadGate&& other) noexcept {
        check_ = std::exchange(other.check_, std::make_unique<HttpHeadCheck>());
        refused_ = std::exchange(other.refused_, false);
        return *this;
    }

    // The next bytes the connection read. The answer to write, once, when they break a rule;
    // after that nothing more is looked at.
    std::optional<std::string> answerFor(const void* data, std::size_t size) {
        if (refused_ || size == 0) return std::nullopt;
        auto refusal = check_->feed(static_cast<const char*>(data), size);
        if (!refusal) return std::nullopt;
        refused_ = true;
        return refusalResponse(*refusal);
    }

    // Reads from `stream` into `buffers` like its async_read_some, the bytes checked first. On
    // a refusal, `answerAndClose(answer)` writes the answer and the handler sees the end of the
    // stream. The handler keeps the connection, and so the socket and this gate, alive until it runs.
    template <class Stream, class MutableBuffers, class Handler, class AnswerAndClose>
    void read(Stream& stream, const MutableBuffers& buffers, Handler&& handler, AnswerAndClose answerAndClose) {
        const auto first = *asio::buffer_sequence_begin(buffers);
        stream.async_read_some(buffers, [this, first, answerAndClose, handler = std::forward<Handler>(handler)](
                                            const asio::error_code& ec, std::size_t size) mutable {
            if (!ec) {
                if (const auto answer = answerFor(first.data(), size)) {
                    answerAndClose(*answer);
                    handler(asio::error::make_error_code(asio::error::eof), 0);
                    return;
                }
            }
            handler(ec, size);
        });
    }

private:
    std::unique_ptr<HttpHeadCheck> check_;  // on the heap: the socket moves from the acceptor
    bool refused_{false};
};

}  // namespace dhtpush::proxy
