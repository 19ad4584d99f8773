#pragma once
// Objects that must outlive the operations still pending on an io_context.
//
// restinio's open connections (an app server's kept-alive connection, say) are not closed
// when their server stops: they wait on their sockets until the io_context is destroyed,
// which destroys them, and each one then tells its server's connection-count limiter,
// which it references without owning. A server destroyed before that is a use after free.
#include <asio/io_context.hpp>

#include <memory>

namespace dhtpush::proxy {

// Keeps `object` until `io` is destroyed, after asio destroyed its pending operations.
void keepUntilIoContextEnds(asio::io_context& io, std::shared_ptr<void> object);

}  // namespace dhtpush::proxy
