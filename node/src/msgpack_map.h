#pragma once
// The first step of every decoder of DHT values: the whole input is one msgpack map, within
// limits that keep a hostile value from making msgpack allocate much.
#include <msgpack.hpp>

#include <cstdint>
#include <string>

#include "dhtpush/expected.h"

namespace dhtpush::node {

// Malformed: not msgpack, or over a limit (msgpack throws; caught here). Invalid: bytes after
// the first object, or an object that is not a map. `what` prefixes the error detail.
Expected<msgpack::object_handle> unpackMap(const std::uint8_t* data, std::size_t size, const msgpack::unpack_limit& limits,
                                           const std::string& what);

}  // namespace dhtpush::node
