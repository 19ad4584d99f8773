#pragma once
// dhtpush-distributor's command line.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/expected.h"
#include "dhtpush/node/envelope.h"
#include "registrar.h"

namespace dhtpush::device {

struct DistributorOptions {
    std::string configFile;            // --config FILE (default: defaultConfigFile(), if it exists)
    std::vector<std::string> proxies;  // --proxy URL, repeated; two or more is the default advice
    // --discover URL, repeated: nodes whose proxy directory gives the proxies (two), instead of
    // a fixed list; a proxy unreachable for healAfter is then replaced by a fresh one.
    std::vector<std::string> discover;
    unsigned healAfterSeconds{300};    // --heal-after SEC; 0: never
    std::string stateDirectory;        // --state DIR
    std::string nameSuffix{"dhtpush"};  // --name: owns org.unifiedpush.Distributor.<name>
    RegistrarLimits limits;            // --max-registrations N, --require-vapid
    // --min-urgency U: the lowest urgency taken, fixed; unset: it follows the power state
    // (UPower, NetworkManager on the system bus; docs/device.md, Urgency).
    std::optional<node::Urgency> minUrgency;
    bool help{false};
};

// $XDG_STATE_HOME/dhtpush-distributor, else ~/.local/state/dhtpush-distributor.
std::string defaultStateDirectory();
// $XDG_CONFIG_HOME/dhtpush/distributor.toml, else ~/.config/dhtpush/distributor.toml.
std::string defaultConfigFile();

// The configuration file (TOML, what the systemd unit and D-Bus activation start with):
//   proxies = ["https://proxy-a.example", "https://proxy-b.example"]
//   discover = ["https://node.example"]   heal_after = 300   (instead of proxies)
//   state = "/path"  name = "dhtpush"  max_registrations = 256  require_vapid = false
//   min_urgency = "normal"   (very-low, low, normal or high; absent: follow the power state)
// Every key is optional; an unknown key or a wrong type is an error that names it.
Status applyDistributorConfig(std::string_view text, DistributorOptions& options);

// The command line; its options come after the file's (a --proxy adds to the file's list).
// Reads the configuration file: --config FILE, or the default one where it exists.
Expected<DistributorOptions> parseDistributorOptions(const std::vector<std::string>& args);
std::string distributorUsage();

}  // namespace dhtpush::device
