#include "distributor_options.h"

#include <cstdlib>

#include "up_validation.h"

namespace dhtpush::device {

std::string defaultStateDirectory() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::string(state) + "/dhtpush-distributor";
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.local/state/dhtpush-distributor";
}

const char* distributorUsage() {
    return "usage: dhtpush-distributor --proxy URL [--proxy URL ...] [--state DIR] [--name NAME]\n"
           "                           [--max-registrations N] [--require-vapid]\n"
           "The device's UnifiedPush distributor on the D-Bus session bus (docs/device.md).\n";
}

Expected<DistributorOptions> parseDistributorOptions(const std::vector<std::string>& args) {
    DistributorOptions options;
    options.stateDirectory = defaultStateDirectory();
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            options.help = true;
            continue;
        }
        if (arg == "--require-vapid") {
            options.limits.requireVapid = true;
            continue;
        }
        if (arg != "--proxy" && arg != "--state" && arg != "--name" && arg != "--max-registrations")
            return makeError(Errc::Invalid, "unknown option '" + arg + "'");
        if (i + 1 >= args.size()) return makeError(Errc::Invalid, arg + " needs a value");
        const auto& value = args[++i];
        if (arg == "--proxy") {
            if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0)
                return makeError(Errc::Invalid, "--proxy takes an http:// or https:// URL, not '" + value + "'");
            options.proxies.push_back(value);
        } else if (arg == "--state") {
            options.stateDirectory = value;
        } else if (arg == "--name") {
            if (!up::validServiceName("org.unifiedpush.Distributor." + value) || value.find('.') != std::string::npos)
                return makeError(Errc::Invalid, "--name takes one bus name element ([A-Za-z0-9_-]), not '" + value + "'");
            options.nameSuffix = value;
        } else {
            char* end = nullptr;
            const auto n = std::strtoul(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0' || n == 0 || n > 100000)
                return makeError(Errc::Invalid, "--max-registrations takes a number from 1 to 100000");
            options.limits.maxRegistrations = n;
        }
    }
    if (!options.help && options.proxies.empty()) return makeError(Errc::Invalid, "at least one --proxy URL is needed");
    return options;
}

}  // namespace dhtpush::device
