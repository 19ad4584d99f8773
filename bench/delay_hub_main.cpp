// dhtpush-delay-hub: bench/delay_hub.h. A program of its own, without OpenDHT, so that the
// many-hosts test and scripts/chaos can use it as well as the bench.
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include "delay_hub.h"

int main(int argc, char** argv) {
    std::map<std::string, std::string> options;
    for (int i = 1; i + 1 < argc; i += 2) options[argv[i]] = argv[i + 1];
    if (argc % 2 == 0) {
        std::cerr << "usage: dhtpush-delay-hub --ports v1,v2,... [--delay-ms 10] [--loss-permille 0] [--delay-file F]\n";
        return 2;
    }
    try {
        return dhtpush::bench::runDelayHub(options);
    } catch (const std::exception& ex) {
        std::cerr << "dhtpush-delay-hub: " << ex.what() << "\n";
        return 1;
    }
}
