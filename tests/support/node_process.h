#pragma once
// A dhtpush-node daemon as a child process, joined to a LocalDhtNetwork: started, killed
// with SIGKILL, and started again on the same data folder and ports.
#include <sys/types.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "local_dht_network.h"

namespace dhtpush::test {

class NodeProcess {
public:
    // Starts the node (HTTP and DHT ports chosen by the OS) and waits until it serves and its
    // DHT node is connected. Throws when it does not within 20 s.
    NodeProcess(const LocalDhtNetwork& network, std::string dataDir, std::vector<std::string> extraArgs = {});
    ~NodeProcess();

    const std::string& url() const { return url_; }
    pid_t pid() const { return pid_; }  // -1 when it is not running
    void kill9();     // SIGKILL: no shutdown code runs
    // SIGTERM, then the exit status (0 for a clean shutdown); -1 when it was not running.
    int terminate();
    std::string output() const;  // what it printed (stdout and stderr)
    void restart();   // same data folder, same HTTP and DHT ports

private:
    void spawn(std::vector<std::string> args);

    std::vector<std::string> baseArgs_;
    pid_t pid_{-1};
    int outFd_{-1};
    std::thread reader_;
    mutable std::mutex mutex_;
    std::string output_;
    std::string url_;
    std::string dhtPort_;
};

}  // namespace dhtpush::test
