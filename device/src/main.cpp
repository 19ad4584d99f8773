// dhtpush-distributor: one per user on a device; holds the push connections for every app and
// speaks UnifiedPush's D-Bus API to them (docs/device.md).
#include <sdbus-c++/sdbus-c++.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "app_caller.h"
#include "apps_command.h"
#include "distributor_bus.h"
#include "distributor_log.h"
#include "distributor_options.h"
#include "power_monitor.h"
#include "proxy_transport.h"
#include "registrar.h"
#include "registration_store.h"

using namespace dhtpush::device;

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "apps") return appsCommand(std::vector<std::string>(argv + 2, argv + argc));
    auto options = parseDistributorOptions(std::vector<std::string>(argv + 1, argv + argc));
    if (!options) {
        std::cerr << "dhtpush-distributor: " << options.error().detail << "\n";
        return 2;
    }
    if (options->help) {
        std::cout << distributorUsage();
        return 0;
    }
    // SIGINT and SIGTERM end the run below; blocked before any thread starts so all inherit it.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto store = RegistrationStore::open(options->stateDirectory);
    if (!store) {
        logLine(LogLevel::Error, "cannot open the state in " + options->stateDirectory + ": " + store.error().detail);
        return 1;
    }
    if (options->discover.empty() && options->proxies.size() < 2)
        logLine(LogLevel::Warning, "one proxy only: messages stop while it is away (give two --proxy)");
    ProxyTransport transport(**store, options->proxies,
                             ProxyDiscovery{options->discover, 2, std::chrono::seconds(options->healAfterSeconds)});
    // Serve apps at once, network or not: until a proxy answers, a Register gets NETWORK.
    if (auto attached = transport.attach(); !attached)
        logLine(LogLevel::Warning, "no proxy reachable yet (tried again every 5 s): " + attached.error().detail);
    // On battery the proxies hold the less urgent messages back (UnifiedPush's D-Bus spec).
    std::unique_ptr<PowerMonitor> power;
    if (options->minUrgency) {
        transport.setMinUrgency(*options->minUrgency);
    } else {
        power = PowerMonitor::start([&transport](dhtpush::node::Urgency urgency, const PowerState& state) {
            logLine(LogLevel::Info, describe(state) + ": taking messages of urgency " +
                                        std::string(dhtpush::node::urgencyName(urgency)) + " and above");
            transport.setMinUrgency(urgency);
        });
    }
    try {
        const DispatchLimits dispatch;
        AppCaller apps(dispatch.lanes);
        Registrar registrar(**store, transport, apps, options->limits, dispatch);
        std::atomic<bool> busLost{false};  // before the bus: its thread may set it until it goes
        DistributorBus bus(registrar, up::DISTRIBUTOR_NAME_PREFIX + options->nameSuffix);
        bus.start([&] {
            busLost = true;
            kill(getpid(), SIGTERM);  // wakes the wait below
        });
        logLine(LogLevel::Info, std::string("serving ") + up::DISTRIBUTOR_NAME_PREFIX + options->nameSuffix + " for " +
                                    std::to_string((*store)->count()) + " registration(s)");
        std::atomic<bool> stop{false};
        std::atomic<bool> transportEnded{false};
        std::thread receiving([&] {
            // Until a proxy answers it waits, trying them again every 5 s.
            if (auto ran = transport.run(stop, [&](const IncomingMessage& m) { return registrar.deliver(m); }); !ran)
                logLine(LogLevel::Error, "every proxy refuses this device: " + ran.error().detail);
            if (stop) return;
            transportEnded = true;
            kill(getpid(), SIGTERM);  // wakes the wait below
        });
        int signal = 0;
        sigwait(&signals, &signal);
        const bool failed = transportEnded || busLost;
        stop = true;
        receiving.join();
        return failed ? 1 : 0;
    } catch (const sdbus::Error& e) {
        logLine(LogLevel::Error, "D-Bus: " + e.getName() + ": " + e.getMessage());
        return 1;
    }
}
