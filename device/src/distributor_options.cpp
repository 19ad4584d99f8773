#include "distributor_options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "up_validation.h"

namespace dhtpush::device {

std::string defaultStateDirectory() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::string(state) + "/dhtpush-distributor";
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.local/state/dhtpush-distributor";
}

std::string defaultConfigFile() {
    if (const char* config = std::getenv("XDG_CONFIG_HOME"); config && *config) return std::string(config) + "/dhtpush/distributor.toml";
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.config/dhtpush/distributor.toml";
}

const char* distributorUsage() {
    return "usage: dhtpush-distributor [--config FILE] [--proxy URL ...] [--state DIR] [--name NAME]\n"
           "                           [--max-registrations N] [--require-vapid]\n"
           "                           [--min-urgency very-low|low|normal|high]\n"
           "The device's UnifiedPush distributor on the D-Bus session bus (docs/device.md).\n"
           "Options also come from FILE (TOML; default ~/.config/dhtpush/distributor.toml).\n"
           "       dhtpush-distributor apps [--name NAME]          the running distributor's apps\n"
           "       dhtpush-distributor apps remove SERVICE         remove an app's registrations\n";
}

namespace {

Status checkProxyUrl(const std::string& url) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        return makeError(Errc::Invalid, "a proxy is an http:// or https:// URL, not '" + url + "'");
    return success();
}

Status checkName(const std::string& name) {
    if (name.find('.') != std::string::npos || !up::validServiceName("org.unifiedpush.Distributor." + name))
        return makeError(Errc::Invalid, "the name is one bus name element ([A-Za-z0-9_-]), not '" + name + "'");
    return success();
}

Status checkMaxRegistrations(long long n) {
    if (n < 1 || n > 100000) return makeError(Errc::Invalid, "max_registrations is a number from 1 to 100000");
    return success();
}

Expected<node::Urgency> checkUrgency(const std::string& text) {
    auto urgency = node::parseUrgency(text);
    if (!urgency) return makeError(Errc::Invalid, "min_urgency is very-low, low, normal or high, not '" + text + "'");
    return *urgency;
}

}  // namespace

Status applyDistributorConfig(std::string_view text, DistributorOptions& options) {
    toml::table table;
    try {
        table = toml::parse(text);
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << e.source().begin;
        return makeError(Errc::Malformed, "not TOML at " + where.str() + ": " + std::string(e.description()));
    }
    for (const auto& [key, value] : table) {
        const std::string name(key.str());
        if (name == "proxies") {
            const auto* list = value.as_array();
            if (!list) return makeError(Errc::Invalid, "proxies is a list of URLs");
            for (const auto& item : *list) {
                const auto* url = item.as_string();
                if (!url) return makeError(Errc::Invalid, "proxies is a list of URLs");
                if (auto ok = checkProxyUrl(url->get()); !ok) return ok;
                options.proxies.push_back(url->get());
            }
        } else if (name == "state" && value.is_string()) {
            options.stateDirectory = value.as_string()->get();
        } else if (name == "name" && value.is_string()) {
            if (auto ok = checkName(value.as_string()->get()); !ok) return ok;
            options.nameSuffix = value.as_string()->get();
        } else if (name == "max_registrations" && value.is_integer()) {
            if (auto ok = checkMaxRegistrations(value.as_integer()->get()); !ok) return ok;
            options.limits.maxRegistrations = static_cast<std::size_t>(value.as_integer()->get());
        } else if (name == "require_vapid" && value.is_boolean()) {
            options.limits.requireVapid = value.as_boolean()->get();
        } else if (name == "min_urgency" && value.is_string()) {
            auto urgency = checkUrgency(value.as_string()->get());
            if (!urgency) return urgency.error();
            options.minUrgency = *urgency;
        } else {
            return makeError(Errc::Invalid, "unknown key or wrong type: '" + name + "'");
        }
    }
    return success();
}

Expected<DistributorOptions> parseDistributorOptions(const std::vector<std::string>& args) {
    DistributorOptions options;
    options.stateDirectory = defaultStateDirectory();
    options.configFile = defaultConfigFile();
    bool configGiven = false;
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--config") {
            options.configFile = args[i + 1];
            configGiven = true;
        }
    std::ifstream file(options.configFile);
    if (file) {
        std::stringstream text;
        text << file.rdbuf();
        if (auto applied = applyDistributorConfig(text.str(), options); !applied)
            return makeError(applied.error().code, options.configFile + ": " + applied.error().detail);
    } else if (configGiven) {
        return makeError(Errc::NotFound, "cannot read " + options.configFile);
    }
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
        if (arg != "--proxy" && arg != "--state" && arg != "--name" && arg != "--max-registrations" && arg != "--config" &&
            arg != "--min-urgency")
            return makeError(Errc::Invalid, "unknown option '" + arg + "'");
        if (i + 1 >= args.size()) return makeError(Errc::Invalid, arg + " needs a value");
        const auto& value = args[++i];
        if (arg == "--config") continue;  // read above
        if (arg == "--proxy") {
            if (auto ok = checkProxyUrl(value); !ok) return ok.error();
            options.proxies.push_back(value);
        } else if (arg == "--state") {
            options.stateDirectory = value;
        } else if (arg == "--name") {
            if (auto ok = checkName(value); !ok) return ok.error();
            options.nameSuffix = value;
        } else if (arg == "--min-urgency") {
            auto urgency = checkUrgency(value);
            if (!urgency) return urgency.error();
            options.minUrgency = *urgency;
        } else {
            char* end = nullptr;
            const auto n = std::strtoll(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0') return makeError(Errc::Invalid, "--max-registrations takes a number from 1 to 100000");
            if (auto ok = checkMaxRegistrations(n); !ok) return ok.error();
            options.limits.maxRegistrations = static_cast<std::size_t>(n);
        }
    }
    if (!options.help && options.proxies.empty())
        return makeError(Errc::Invalid, "no proxy: give --proxy URL, or proxies = [...] in " + options.configFile);
    return options;
}

}  // namespace dhtpush::device
