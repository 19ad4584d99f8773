#pragma once
// Error values for everything a client, peer, disk or clock can cause.
// Exceptions are kept for startup failures only (see docs/architecture.md).
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace dhtpush {

enum class Errc {
    Malformed,            // syntactically wrong input (JSON, msgpack, base64, header)
    Invalid,              // well-formed but not acceptable (range, length, missing field)
    TooLarge,             // over a size limit
    UnsupportedEncoding,  // a Content-Encoding we do not accept
    Unauthorized,         // no credentials given
    Forbidden,            // wrong credentials
    NotFound,             // unknown device, subscription or route
    Conflict,             // the resource exists and belongs to someone else
    QuotaExceeded,        // a per-device limit (e.g. subscriptions) is reached
    StorageFull,          // a mailbox quota (messages or bytes) is full until the device collects
    Unavailable,          // a dependency (DHT, disk) cannot serve now
    Internal,             // a bug or an unexpected failure
};

const char* errcName(Errc code);

struct Error {
    Errc code;
    std::string detail;  // for humans; never carries a secret
};

// A value or an Error. Small on purpose: C++17 has no std::expected.
template <class T>
class Expected {
public:
    Expected(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
    Expected(Error error) : state_(std::move(error)) {}        // NOLINT: implicit by design

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(state_); }
    const T& value() const& { assert(ok()); return std::get<0>(state_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

struct Unit {};
using Status = Expected<Unit>;
inline Status success() { return Unit{}; }

inline Error makeError(Errc code, std::string detail) { return Error{code, std::move(detail)}; }

}  // namespace dhtpush
