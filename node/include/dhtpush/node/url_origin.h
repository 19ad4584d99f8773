#pragma once
// The origin of a push endpoint, as RFC 8292 names the push service in a VAPID JWT's `aud`.
#include <string>
#include <string_view>

#include "dhtpush/expected.h"

namespace dhtpush::node {

// Lower-cased scheme and host, and the port only when it is not the scheme's default:
// "HTTPS://Node.Example:443/wp/x" → "https://node.example". Invalid for anything but an
// http:// or https:// URL with a host and a numeric port.
Expected<std::string> urlOrigin(std::string_view url);

}  // namespace dhtpush::node
