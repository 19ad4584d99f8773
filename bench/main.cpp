// dhtpush-bench: the measurements behind scripts/bench. Each mode prints a JSON document.
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "dhtpush/node/json.h"
#include "latency.h"

namespace {

std::map<std::string, std::string> parseOptions(const std::vector<std::string>& args) {
    std::map<std::string, std::string> options;
    for (std::size_t i = 0; i + 1 < args.size(); i += 2) options[args[i]] = args[i + 1];
    return options;
}

std::size_t number(const std::map<std::string, std::string>& o, const std::string& name, std::size_t fallback) {
    auto it = o.find(name);
    return it == o.end() ? fallback : std::stoul(it->second);
}

int usage() {
    std::cerr << "usage: dhtpush-bench latency [--nodes N] [--samples S] [--json FILE]\n";
    return 2;
}

void emit(const Json::Value& result, const std::map<std::string, std::string>& options) {
    const auto text = dhtpush::node::writeJson(result);
    std::cout << text << std::endl;
    if (auto it = options.find("--json"); it != options.end()) std::ofstream(it->second) << text << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace dhtpush::bench;
    if (argc < 2) return usage();
    const std::string mode = argv[1];
    const auto options = parseOptions(std::vector<std::string>(argv + 2, argv + argc));
    try {
        if (mode == "latency") {
            LatencyRun run;
            run.nodes = number(options, "--nodes", 10);
            run.samples = number(options, "--samples", 500);
            emit(latencyJson(run, runLatency(run)), options);
            return 0;
        }
    } catch (const std::exception& ex) {
        std::cerr << "dhtpush-bench: " << ex.what() << "\n";
        return 1;
    }
    return usage();
}
