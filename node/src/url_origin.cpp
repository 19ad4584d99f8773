#include "dhtpush/node/url_origin.h"

#include <algorithm>
#include <cctype>

namespace dhtpush::node {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

Expected<std::string> urlOrigin(std::string_view url) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return makeError(Errc::Invalid, "not an absolute URL");
    const auto scheme = lower(url.substr(0, sep));
    if (scheme != "http" && scheme != "https") return makeError(Errc::Invalid, "not an http or https URL");
    auto authority = url.substr(sep + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    std::string_view host = authority, port;
    const auto close = authority.rfind(']');
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return makeError(Errc::Invalid, "URL has no host");
    if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
        return makeError(Errc::Invalid, "URL port is not a number");
    const bool defaultPort = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
    return scheme + "://" + lower(host) + (defaultPort ? "" : ":" + std::string(port));
}

}  // namespace dhtpush::node
