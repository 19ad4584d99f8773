// dhtpush: the device and app-server command line.
#include <atomic>
#include <csignal>
#include <vector>

#include "cli.h"

namespace {
std::atomic<bool> stopRequested{false};
extern "C" void onSignal(int) { stopRequested = true; }
}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    return dhtpush::client::runCli(std::vector<std::string>(argv + 1, argv + argc), stopRequested);
}
