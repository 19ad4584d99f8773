#include "up_validation.h"

#include <algorithm>
#include <cctype>

#include "dhtpush/client/utf8_text.h"
#include "dhtpush/crypto/base64url.h"
#include "up_names.h"

namespace dhtpush::device::up {
namespace {

bool isCleanUtf8(std::string_view text) { return client::isCleanUtf8(text, false); }

}  // namespace

const char* reasonName(FailReason reason) {
    switch (reason) {
    case FailReason::InternalError: return "INTERNAL_ERROR";
    case FailReason::Network: return "NETWORK";
    case FailReason::ActionRequired: return "ACTION_REQUIRED";
    case FailReason::VapidRequired: return "VAPID_REQUIRED";
    case FailReason::Unauthorized: return "UNAUTHORIZED";
    }
    return "INTERNAL_ERROR";
}

bool validToken(std::string_view token) { return !token.empty() && token.size() <= MAX_TOKEN_BYTES && isCleanUtf8(token); }

bool validDescription(std::string_view description) {
    return description.size() <= MAX_DESCRIPTION_BYTES && isCleanUtf8(description);
}

bool validServiceName(std::string_view service) {
    if (service.empty() || service.size() > 255 || service.front() == '.' || service.front() == ':') return false;
    std::size_t elements = 0;
    std::size_t start = 0;
    while (start <= service.size()) {
        const auto end = std::min(service.find('.', start), service.size());
        const auto element = service.substr(start, end - start);
        if (element.empty() || std::isdigit(static_cast<unsigned char>(element.front()))) return false;
        for (const char c : element)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
        ++elements;
        start = end + 1;
    }
    return elements >= 2;
}

bool validVapidKey(std::string_view key) {
    if (key.size() != VAPID_KEY_CHARS) return false;
    const auto point = crypto::base64urlDecode(key);
    return point && point->size() == 65 && (*point)[0] == 0x04;
}

}  // namespace dhtpush::device::up
