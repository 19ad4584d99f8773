#pragma once
// What both listeners' socket types (guarded_socket.h, guarded_tls_socket.h) share: the
// HttpHeadCheck of one connection, and the answer to write once it refuses a request.
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

private:
    std::unique_ptr<HttpHeadCheck> check_;  // on the heap: the socket moves from the acceptor
    bool refused_{false};
};

}  // namespace dhtpush::proxy
