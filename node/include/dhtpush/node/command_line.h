#pragma once
// The one option parser of dhtpush's programs (dhtpush-node, dhtpush, dhtpush-distributor):
// Debian's CLI11. It gives each program the same syntax (--name VALUE and --name=VALUE), the
// same errors and a --help that lists every option with its default; a program with a
// configuration file shows each option's key there too.
#include <CLI/CLI.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dhtpush/expected.h"

namespace dhtpush::node::command_line {

// "--http-port" -> "http_port": an option's key in a TOML configuration file.
std::string configKey(const CLI::Option& option);

// --help text that ends each option's description with "[config: KEY]", except for the
// options named (without dashes) in `withoutKey`, which a configuration file cannot hold.
// `keyOf` names the options whose key is not configKey()'s (a repeated --proxy is `proxies`).
std::shared_ptr<CLI::Formatter> helpWithConfigKeys(std::set<std::string> withoutKey,
                                                   std::map<std::string, std::string> keyOf = {});
// --help text with options' defaults and no configuration keys (a program without a file).
std::shared_ptr<CLI::Formatter> plainHelp();

// Parses `args` (the program name left out). A parse error (an unknown option, a missing or
// malformed value, a value out of its range) is Errc::Invalid, with CLI11's message and a
// pointer to --help.
Status parse(CLI::App& app, std::vector<std::string> args);

// A check that a number lies in [min, max], adding nothing to --help (the description says
// the range in words).
CLI::Validator within(double min, double max);
// Digits only: no sign, no blank, no 0x (CLI11 alone wraps "-5" around in an unsigned).
CLI::Validator wholeNumber();

}  // namespace dhtpush::node::command_line
