#pragma once
// "host:port" as options and configuration give a DHT peer.
#include <string>
#include <string_view>

#include "dhtpush/expected.h"

namespace dhtpush::node {

struct HostPort {
    std::string host;
    std::string port;
};

// "host:port", "[v6]:port"; the port must be 1..65535.
Expected<HostPort> splitHostPort(std::string_view text);

}  // namespace dhtpush::node
