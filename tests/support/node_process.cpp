#include "node_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

#include "await.h"
#include "dhtpush/client/http_client.h"

extern char** environ;

namespace dhtpush::test {

NodeProcess::NodeProcess(const LocalDhtNetwork& network, std::string dataDir, std::vector<std::string> extraArgs) {
    baseArgs_ = {DHTPUSH_NODE_BINARY, "--data-dir", std::move(dataDir), "--dht-address", "127.0.0.1",
                 "--local-network", "--network", std::to_string(network.networkId()), "--inbox-keys",
                 std::string(node::nameOf(network.inboxKeys())), "--bootstrap", network.bootstrapAddress(),
                 "--value-expiration", "600"};
    baseArgs_.insert(baseArgs_.end(), extraArgs.begin(), extraArgs.end());
    auto args = baseArgs_;
    args.insert(args.end(), {"--http-port", "0", "--dht-port", "0"});
    spawn(std::move(args));
}

NodeProcess::~NodeProcess() { terminate(); }

int NodeProcess::terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void NodeProcess::spawn(std::vector<std::string> args) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) throw std::runtime_error("cannot start dhtpush-node");
    outFd_ = fds[0];
    {
        std::lock_guard<std::mutex> lock(mutex_);
        output_.clear();
    }
    reader_ = std::thread([this, fd = outFd_] {
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            output_.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fd);
    });
    if (!waitUntil([&] { return output().find("udp port") != std::string::npos; }, std::chrono::seconds(20)))
        throw std::runtime_error("dhtpush-node did not start: " + output());
    std::smatch match;
    const auto text = output();
    if (!std::regex_search(text, match, std::regex(R"(HTTP +(http://[0-9.]+:[0-9]+))")))
        throw std::runtime_error("no URL in: " + text);
    url_ = match[1];
    if (std::regex_search(text, match, std::regex(R"(udp port ([0-9]+))"))) dhtPort_ = match[1];
    const bool healthy = waitUntil(
        [&] {
            auto r = client::httpRequest({"GET", url_ + "/health", {}, {}});
            return r && r->status == 200;
        },
        std::chrono::seconds(20));
    if (!healthy) throw std::runtime_error("dhtpush-node did not become healthy: " + output());
}

std::string NodeProcess::output() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return output_;
}

void NodeProcess::kill9() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
}

void NodeProcess::restart() {
    if (pid_ > 0) kill9();
    auto args = baseArgs_;
    args.insert(args.end(), {"--http-port", url_.substr(url_.rfind(':') + 1), "--dht-port", dhtPort_});
    spawn(std::move(args));
}

}  // namespace dhtpush::test
