#pragma once
// dhtpush-node's configuration file (--config FILE): every command-line option as a TOML key,
// its name without the leading dashes and with '_' for '-' (`http_port = 8080`,
// `bootstrap = ["host:4222"]`, `local_network = true`). The file becomes command-line
// options placed before the real ones, so flags override it (a --bootstrap on the command line
// replaces the file's list), and every value goes through the same checks. An example with
// every option and its default: docs/dhtpush-node.toml.
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/expected.h"

namespace dhtpush::proxy {

struct NodeOptions;

// The options the file at `path` stands for. Not TOML, an unknown key or a wrong type: an
// error naming the file and the key.
Expected<std::vector<std::string>> configFileOptions(const std::string& path);
Expected<std::vector<std::string>> configTextOptions(std::string_view text);

// The effective configuration as a configuration file: every option with its value, secrets
// left out (the invite secret is named by its file). Read back, it gives the same options.
std::string effectiveConfig(const NodeOptions& options);

}  // namespace dhtpush::proxy
