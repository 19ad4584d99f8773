// dhtpush-node's options (proxy/src/node_options.h, node_config_file.h) on hostile input: a
// configuration file's text, or command-line words split at NUL bytes. Refused with a message
// or parsed, never a crash; whatever is parsed is within the bounds the options promise.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/node/envelope.h"
#include "fuzz_check.h"
#include "node_config_file.h"
#include "node_options.h"

using dhtpush::fuzz::check;
namespace proxy = dhtpush::proxy;

namespace {

void checkParsed(const std::vector<std::string>& args) {
    const auto options = proxy::parseNodeOptions(args);
    if (!options) {
        check(!options.error().detail.empty(), "refused without saying why");
        return;
    }
    check(options->proxy.maxTtlSeconds <= dhtpush::node::MAX_TTL_SECONDS, "max_ttl past the envelope maximum");
    check(options->proxy.inboxes <= 4096, "inboxes past 4096");
    check(options->dht.storage.maxValuesPerKey >= 1 && options->dht.storage.maxValuesPerKey <= 65536,
          "dht_values_per_key out of range");
    check(options->dht.storage.maxBytes >= (std::size_t{1} << 20), "dht_storage_mib of 0");
    check(options->proxy.keepAlive.count() > 0 && options->dht.valueExpiration.count() > 0, "a zero interval");
    check(options->proxy.maxStreamsPerDevice >= 1, "max_streams_per_device of 0");
    check(options->proxy.rates.postsPerSecond >= 0 && options->proxy.rates.postsPerSubscription >= 0, "a negative rate");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    // Options that read files are left out: the fuzzer would only read this machine's.
    if (text.find("-file") != std::string_view::npos || text.find("config") != std::string_view::npos) return 0;
    if (data[0] % 2 == 0) {
        const auto fromFile = proxy::configTextOptions(text);
        if (!fromFile) {
            check(!fromFile.error().detail.empty(), "a file refused without saying why");
            return 0;
        }
        checkParsed(*fromFile);
        return 0;
    }
    std::vector<std::string> args;
    std::size_t start = 0;
    for (std::size_t at = 0; at <= text.size(); ++at)
        if (at == text.size() || text[at] == '\0') {
            args.emplace_back(text.substr(start, at - start));
            start = at + 1;
        }
    checkParsed(args);
    return 0;
}
