#include "client_address.h"

#include <algorithm>

namespace dhtpush::proxy {

std::string sourceKey(const asio::ip::address& address) {
    if (!address.is_v6()) return address.to_string();
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
    if (v6.is_loopback()) return v6.to_string();
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
}

bool isExemptSource(const asio::ip::address& address) {
    const auto key = sourceKey(address);
    return key == "127.0.0.1" || key == "::1";
}

}  // namespace dhtpush::proxy
