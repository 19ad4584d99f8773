#include "distributor_options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "dhtpush/node/command_line.h"
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
    auto urls = [](const toml::node& value, const std::string& name, std::vector<std::string>& out) -> Status {
        const auto* list = value.as_array();
        if (!list) return makeError(Errc::Invalid, name + " is a list of URLs");
        for (const auto& item : *list) {
            const auto* url = item.as_string();
            if (!url) return makeError(Errc::Invalid, name + " is a list of URLs");
            if (auto ok = checkProxyUrl(url->get()); !ok) return ok;
            out.push_back(url->get());
        }
        return success();
    };
    for (const auto& [key, value] : table) {
        const std::string name(key.str());
        if (name == "proxies" || name == "discover") {
            if (auto ok = urls(value, name, name == "proxies" ? options.proxies : options.discover); !ok) return ok;
        } else if (name == "heal_after" && value.is_integer()) {
            const auto seconds = value.as_integer()->get();
            if (seconds < 0 || seconds > 86400) return makeError(Errc::Invalid, "heal_after is 0 to 86400 seconds");
            options.healAfterSeconds = static_cast<unsigned>(seconds);
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

namespace {

namespace cl = node::command_line;

// The distributor's options, bound to `options`; flags given are applied over the file's.
void describeOptions(CLI::App& app, DistributorOptions& options, std::vector<std::string>& proxies,
                     std::vector<std::string>& discover, std::string& minUrgency) {
    app.set_help_flag();
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.formatter(cl::helpWithConfigKeys({"help", "config"}, {{"proxy", "proxies"}, {"discover", "discover"}}));
    app.footer(
        "Options also come from the configuration file, whose lists the command line adds to.\n"
        "       dhtpush-distributor apps [--name NAME]          the running distributor's apps\n"
        "       dhtpush-distributor apps remove SERVICE         remove an app's registrations");
    app.add_option("--config", options.configFile, "a TOML configuration file; given and missing is an error")
        ->type_name("FILE")
        ->capture_default_str();
    // A repeatable URL option, each an http(s) URL.
    auto urls = [&app](const char* name, std::vector<std::string>& into, const char* description) {
        app.add_option(name, into, description)
            ->type_name("URL")
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false)
            ->check([](const std::string& url) {
                auto ok = checkProxyUrl(url);
                return ok ? std::string() : ok.error().detail;
            });
    };
    urls("--proxy", proxies, "a proxy's http:// or https:// URL; repeat for several (two or more advised)");
    urls("--discover", discover,
         "instead of --proxy: a node whose proxy directory (GET /v1/proxies) gives two healthy proxies; repeat for "
         "several");
    app.add_option("--heal-after", options.healAfterSeconds,
                   "with --discover: a proxy unreachable this long is replaced by a fresh one from the directory, "
                   "and apps whose endpoint moved are told (NewEndpoint); 0: never")
        ->type_name("SEC")
        ->capture_default_str()
        ->check(cl::wholeNumber())
        ->check(cl::within(0, 86400));
    app.add_option("--state", options.stateDirectory, "where registrations are kept")->type_name("DIR")->capture_default_str();
    app.add_option("--name", options.nameSuffix, "owns org.unifiedpush.Distributor.NAME on the session bus")
        ->type_name("NAME")
        ->capture_default_str()
        ->check([](const std::string& name) {
            auto ok = checkName(name);
            return ok ? std::string() : ok.error().detail;
        });
    app.add_option("--max-registrations", options.limits.maxRegistrations,
                   "apps' registrations held, 1 to 100000; past it Register fails")
        ->type_name("N")
        ->capture_default_str()
        ->check(cl::wholeNumber())
        ->check(cl::within(1, 100000));
    app.add_flag("--require-vapid", options.limits.requireVapid, "refuse registrations without a VAPID key");
    app.add_option("--min-urgency", minUrgency,
                   "very-low, low, normal or high: the lowest urgency taken, fixed (default: it follows the power "
                   "state)")
        ->type_name("URGENCY")
        ->check([](const std::string& text) {
            auto urgency = checkUrgency(text);
            return urgency ? std::string() : urgency.error().detail;
        });
    app.add_flag("-h,--help", options.help, "show this text");
}

// The configuration file: --config FILE, or the default one where it exists.
Status readConfigFile(const std::vector<std::string>& args, DistributorOptions& options) {
    bool configGiven = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) options.configFile = args[i + 1];
        else if (args[i].rfind("--config=", 0) == 0) options.configFile = args[i].substr(9);
        else continue;
        configGiven = true;
    }
    std::ifstream file(options.configFile);
    if (!file) return configGiven ? makeError(Errc::NotFound, "cannot read " + options.configFile) : success();
    std::stringstream text;
    text << file.rdbuf();
    if (auto applied = applyDistributorConfig(text.str(), options); !applied)
        return makeError(applied.error().code, options.configFile + ": " + applied.error().detail);
    return success();
}

}  // namespace

std::string distributorUsage() {
    DistributorOptions options;
    options.stateDirectory = defaultStateDirectory();
    options.configFile = defaultConfigFile();
    std::vector<std::string> proxies, discover;
    std::string minUrgency;
    CLI::App app{"The device's UnifiedPush distributor on the D-Bus session bus (docs/device.md).",
                 "dhtpush-distributor"};
    describeOptions(app, options, proxies, discover, minUrgency);
    return app.help();
}

Expected<DistributorOptions> parseDistributorOptions(const std::vector<std::string>& args) {
    DistributorOptions options;
    options.stateDirectory = defaultStateDirectory();
    options.configFile = defaultConfigFile();
    if (auto read = readConfigFile(args, options); !read) return read.error();
    std::vector<std::string> proxies, discover;
    std::string minUrgency;
    CLI::App app{"", "dhtpush-distributor"};
    describeOptions(app, options, proxies, discover, minUrgency);
    if (auto parsed = cl::parse(app, args); !parsed) return parsed.error();
    // A --proxy or --discover adds to the file's list.
    options.proxies.insert(options.proxies.end(), proxies.begin(), proxies.end());
    options.discover.insert(options.discover.end(), discover.begin(), discover.end());
    if (!minUrgency.empty()) options.minUrgency = *checkUrgency(minUrgency);
    if (!options.help && options.proxies.empty() && options.discover.empty())
        return makeError(Errc::Invalid, "no proxy: give --proxy URL or --discover URL, or proxies = [...] in " +
                                            options.configFile);
    if (!options.proxies.empty() && !options.discover.empty())
        return makeError(Errc::Invalid, "give proxies or discover, not both");
    return options;
}

}  // namespace dhtpush::device
