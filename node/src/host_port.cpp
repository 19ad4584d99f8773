#include "dhtpush/node/host_port.h"

#include <charconv>

namespace dhtpush::node {

Expected<HostPort> splitHostPort(std::string_view text) {
    auto bad = [&] { return makeError(Errc::Invalid, "expected host:port, got '" + std::string(text) + "'"); };
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return bad();
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return bad();
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (host.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
        return bad();
    return HostPort{std::string(host), std::string(port)};
}

}  // namespace dhtpush::node
