#pragma once
// `dhtpush-distributor apps [--name NAME]` lists the running distributor's registrations (app,
// interface version, waiting messages, endpoint, description); `apps remove SERVICE` removes
// an app's registrations (the app is told: Unregistered). `dhtpush apps` runs this. It speaks to
// the distributor over its management interface on the session bus (org.dhtpush.Distributor1).
#include <string>
#include <vector>

namespace dhtpush::device {

// Exit status: 0, 1 (no distributor, or nothing to remove), 2 (bad usage).
int appsCommand(const std::vector<std::string>& args);

}  // namespace dhtpush::device
