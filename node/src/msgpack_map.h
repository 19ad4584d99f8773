#pragma once
// The first step of every decoder of DHT values: the whole input is one msgpack map, within
// limits that keep a hostile value from making msgpack allocate much.
#include <msgpack.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "dhtpush/crypto/bytes.h"

#include "dhtpush/expected.h"

namespace dhtpush::node {

// Malformed: not msgpack, or over a limit (msgpack throws; caught here). Invalid: bytes after
// the first object, or an object that is not a map. `what` prefixes the error detail.
Expected<msgpack::object_handle> unpackMap(const std::uint8_t* data, std::size_t size, const msgpack::unpack_limit& limits,
                                           const std::string& what);

// A map's field of the type it must have (false otherwise), copied out. The decoders'
// field-by-field loops use these; a string longer than maxChars is refused too.
bool readUint(const msgpack::object& o, std::uint64_t& out);
bool readStr(const msgpack::object& o, std::string& out,
             std::size_t maxChars = std::numeric_limits<std::size_t>::max());
bool readBin(const msgpack::object& o, crypto::Bytes& out);

}  // namespace dhtpush::node
