// Issue 12, "Accept loop": when accept() fails (EMFILE, ENFILE, ENOBUFS), restinio 0.6.16
// drops the error and never accepts on that listener again. A dhtpush-node process is made to
// run out of descriptors by lowering its open-file limit from outside (prlimit), as another
// part of the process or the system would.
#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "await.h"
#include "health_json.h"
#include "node_process.h"
#include "raw_http.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

std::size_t openFiles(pid_t pid) {
    const auto dir = "/proc/" + std::to_string(pid) + "/fd";
    std::error_code error;
    std::size_t count = 0;
    for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) ++count;
    return count;
}

}  // namespace

// Regression: the listener stayed dead after one failed accept(), descriptors free or not.
TEST_CASE("a listener accepts again once accept() stops failing", "[integration][security][starves-descriptors]") {
    LocalDhtNetwork network(2);
    TempDir data;
    NodeProcess node(network, data.path());
    const auto pid = node.pid();
    rlimit files{};
    REQUIRE(::prlimit(pid, RLIMIT_NOFILE, nullptr, &files) == 0);
    rlimit tight = files;
    tight.rlim_cur = openFiles(pid) + 3;
    REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &tight, nullptr) == 0);
    {
        // More clients than descriptors: the node takes three, then accept() fails (EMFILE).
        // While it keeps failing, the node tries again once a second, and says so.
        std::vector<std::unique_ptr<RawConnection>> clients;
        for (int i = 0; i < 20; ++i) clients.push_back(std::make_unique<RawConnection>("127.0.0.1", portOf(node.url())));
        CHECK(waitUntil([&] { return node.output().find("accept restarted") != std::string::npos; }));
    }  // they leave
    REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &files, nullptr) == 0);

    std::optional<Json::Value> answer;
    const bool answered = waitUntil([&] { return (answer = healthJson(node.url())).has_value(); }, std::chrono::seconds(15));
    if (!answered) UNSCOPED_INFO("the node said:\n" << node.output());  // why it went quiet, on failure only
    CHECK(answered);
    REQUIRE(answer);
    CHECK((*answer)["connections"]["accepts_restarted"].asUInt64() >= 1);
}
