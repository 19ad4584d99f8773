#pragma once
// dhtpush-distributor's command line.
#include <string>
#include <vector>

#include "dhtpush/expected.h"
#include "registrar.h"

namespace dhtpush::device {

struct DistributorOptions {
    std::vector<std::string> proxies;  // --proxy URL, repeated; two or more is the default advice
    std::string stateDirectory;        // --state DIR
    std::string nameSuffix{"dhtpush"};  // --name: owns org.unifiedpush.Distributor.<name>
    RegistrarLimits limits;            // --max-registrations N, --require-vapid
    bool help{false};
};

// $XDG_STATE_HOME/dhtpush-distributor, else ~/.local/state/dhtpush-distributor.
std::string defaultStateDirectory();
Expected<DistributorOptions> parseDistributorOptions(const std::vector<std::string>& args);
const char* distributorUsage();

}  // namespace dhtpush::device
