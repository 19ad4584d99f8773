#pragma once
// The dhtpush command line: each command returns the process exit code.
#include <atomic>
#include <string>
#include <vector>

namespace dhtpush::client {

// 0 success, 1 failure of the operation, 2 bad usage.
int runCli(const std::vector<std::string>& args, const std::atomic<bool>& stop);

}  // namespace dhtpush::client
