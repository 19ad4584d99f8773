#include "node_identity.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace dhtpush::node {
namespace {

std::optional<dht::Blob> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return dht::Blob(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Expected<dht::crypto::Identity> loadOrCreateIdentity(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return makeError(Errc::Unavailable, "cannot create data folder " + dir + ": " + ec.message());
    const auto base = fs::path(dir) / "node-identity";
    const auto keyPath = fs::path(base.string() + ".pem"), certPath = fs::path(base.string() + ".crt");
    try {
        if (fs::exists(keyPath) && fs::exists(certPath)) {
            auto key = readFile(keyPath);
            auto cert = readFile(certPath);
            if (!key || !cert) return makeError(Errc::Unavailable, "cannot read the node identity in " + dir);
            return dht::crypto::Identity(std::make_shared<dht::crypto::PrivateKey>(*key),
                                         std::make_shared<dht::crypto::Certificate>(*cert));
        }
        auto identity = dht::crypto::generateEcIdentity("dhtpush-node");
        dht::crypto::saveIdentity(identity, base.string());
        ::chmod(keyPath.c_str(), 0600);
        return identity;
    } catch (const std::exception& ex) {
        return makeError(Errc::Invalid, "node identity in " + dir + " is unusable: " + ex.what());
    }
}

}  // namespace dhtpush::node
