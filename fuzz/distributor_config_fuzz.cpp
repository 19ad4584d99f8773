// dhtpush-distributor's configuration file (TOML, device/src/distributor_options.h) on hostile
// text: refused with a message or applied, never a crash; whatever is applied is within the
// bounds the command line would enforce.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "distributor_options.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;
namespace device = dhtpush::device;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    device::DistributorOptions options;
    const auto applied = device::applyDistributorConfig(std::string_view(reinterpret_cast<const char*>(data), size), options);
    if (!applied) {
        check(!applied.error().detail.empty(), "refused without saying why");
        return 0;
    }
    for (const auto& url : options.proxies)
        check(url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0, "a proxy that is not an http(s) URL passed");
    check(options.limits.maxRegistrations >= 1 && options.limits.maxRegistrations <= 100000, "max_registrations out of range");
    check(options.nameSuffix.find('.') == std::string::npos, "a name with a dot passed");
    return 0;
}
