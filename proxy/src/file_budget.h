#pragma once
// Every open connection is a file descriptor. When accept() fails for want of one (EMFILE),
// the listener stops until the AcceptWatch issues the accept again a second later
// (accept_limiter.h), and meanwhile the node takes no one. So the node never allows more
// connections than its open-file limit holds; the rest wait in the kernel's backlog until a
// connection closes (docs/security.md).
#include <cstddef>
#include <cstdint>

namespace dhtpush::proxy {

// Descriptors kept for everything else: DHT sockets, the database and its WAL, the event
// loop's own descriptors, the standard streams, the guard's look at /proc/self/fd.
constexpr std::size_t RESERVED_FILES = 128;

// Connections per listener that fit `fileLimit` open files with `listeners` listeners: at
// most `wanted`, at least 1.
std::size_t connectionsThatFit(std::uint64_t fileLimit, std::size_t listeners, std::size_t wanted);

}  // namespace dhtpush::proxy
