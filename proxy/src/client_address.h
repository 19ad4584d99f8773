#pragma once
// Who a limit counts: a client's address as one source. An IPv6 /64 is one subscriber's
// network (its 2^64 addresses are one source); an IPv4-mapped address is its IPv4 address.
// 127.0.0.1 and ::1 are the operator's own machine or a reverse proxy in front of the node:
// per-source limits do not apply to them (the reverse proxy limits its own clients).
#include <asio/ip/address.hpp>

#include <string>

namespace dhtpush::proxy {

std::string sourceKey(const asio::ip::address& address);
bool isExemptSource(const asio::ip::address& address);

}  // namespace dhtpush::proxy
