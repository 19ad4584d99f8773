#include "msgpack_map.h"

namespace dhtpush::node {

Expected<msgpack::object_handle> unpackMap(const std::uint8_t* data, std::size_t size, const msgpack::unpack_limit& limits,
                                           const std::string& what) {
    msgpack::object_handle handle;
    try {
        std::size_t offset = 0;
        handle = msgpack::unpack(reinterpret_cast<const char*>(data), size, offset, nullptr, nullptr, limits);
        if (offset != size) return makeError(Errc::Invalid, what + ": trailing bytes after the map");
    } catch (const std::exception& ex) {
        return makeError(Errc::Malformed, what + ": not valid msgpack (" + ex.what() + ")");
    }
    if (handle.get().type != msgpack::type::MAP) return makeError(Errc::Invalid, what + ": not a map");
    return handle;
}

bool readUint(const msgpack::object& o, std::uint64_t& out) {
    if (o.type != msgpack::type::POSITIVE_INTEGER) return false;
    out = o.via.u64;
    return true;
}

bool readStr(const msgpack::object& o, std::string& out, std::size_t maxChars) {
    if (o.type != msgpack::type::STR || o.via.str.size > maxChars) return false;
    out.assign(o.via.str.ptr, o.via.str.size);
    return true;
}

bool readBin(const msgpack::object& o, crypto::Bytes& out) {
    if (o.type != msgpack::type::BIN) return false;
    out.assign(o.via.bin.ptr, o.via.bin.ptr + o.via.bin.size);
    return true;
}

}  // namespace dhtpush::node
