#include "apps_command.h"

#include <sdbus-c++/sdbus-c++.h>

#include <iostream>

#include "up_names.h"
#include "up_validation.h"

namespace dhtpush::device {

int appsCommand(const std::vector<std::string>& args) {
    std::string name = "dhtpush";
    std::vector<std::string> positional;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--name" && i + 1 < args.size()) name = args[++i];
        else positional.push_back(args[i]);
    }
    const bool remove = !positional.empty() && positional[0] == "remove";
    if ((remove && positional.size() != 2) || (!remove && !positional.empty()) ||
        (remove && !up::validServiceName(positional[1]))) {
        std::cerr << "usage: dhtpush apps [--name NAME] | dhtpush apps remove SERVICE (an app's bus name)\n";
        return 2;
    }
    const auto busName = up::DISTRIBUTOR_NAME_PREFIX + name;
    try {
        auto connection = sdbus::createSessionBusConnection();
        auto distributor = sdbus::createProxy(*connection, busName, up::DISTRIBUTOR_PATH);
        if (remove) {
            std::uint32_t removed = 0;
            distributor->callMethod("RemoveApp").onInterface(up::MANAGEMENT).withArguments(positional[1]).storeResultsTo(removed);
            if (removed == 0) {
                std::cerr << "dhtpush: no registration of " << positional[1] << "\n";
                return 1;
            }
            std::cout << "removed " << removed << " registration(s) of " << positional[1] << "\n";
            return 0;
        }
        std::vector<sdbus::Struct<std::string, std::uint32_t, std::string, std::string, std::uint32_t>> apps;
        distributor->callMethod("ListApps").onInterface(up::MANAGEMENT).storeResultsTo(apps);
        std::cout << "app\tinterface\twaiting\tendpoint\tdescription\n";
        for (const auto& app : apps)
            std::cout << app.get<0>() << "\tv" << app.get<1>() << "\t" << app.get<4>() << "\t" << app.get<3>() << "\t"
                      << app.get<2>() << "\n";
        return 0;
    } catch (const sdbus::Error& e) {
        std::cerr << "dhtpush: cannot reach " << busName << ": " << e.getMessage() << "\n";
        return 1;
    }
}

}  // namespace dhtpush::device
