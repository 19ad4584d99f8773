// The checks a UnifiedPush Register or Unregister call passes before the distributor stores
// anything (device/src/up_validation.h), on hostile field values: the input is split at its
// first three NUL bytes into service, token, description and vapid. Whatever passes must be
// within the specification's bounds, so the registration store never holds more.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "up_names.h"
#include "up_validation.h"

using dhtpush::fuzz::check;
namespace up = dhtpush::device::up;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (fields.size() < 3) {
        const auto end = input.find('\0', start);
        if (end == std::string_view::npos) break;
        fields.push_back(input.substr(start, end - start));
        start = end + 1;
    }
    fields.push_back(input.substr(std::min(start, input.size())));
    fields.resize(4);
    const auto service = fields[0], token = fields[1], description = fields[2], vapid = fields[3];
    if (up::validServiceName(service)) check(service.size() <= 255 && service.find('.') != std::string_view::npos, "a bad bus name passed");
    if (up::validToken(token)) check(!token.empty() && token.size() <= up::MAX_TOKEN_BYTES, "an oversized token passed");
    if (up::validDescription(description)) check(description.size() <= up::MAX_DESCRIPTION_BYTES, "an oversized description passed");
    if (up::validVapidKey(vapid)) check(vapid.size() == up::VAPID_KEY_CHARS, "a vapid key of the wrong size passed");
    for (const auto text : {token, description})
        if (up::validToken(text) || (up::validDescription(text) && !text.empty()))
            for (const char c : text) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "a control character passed");
    return 0;
}
