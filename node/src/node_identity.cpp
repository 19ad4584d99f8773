#include "node_identity.h"

#include "dhtpush/node/private_files.h"

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

std::string toText(const dht::Blob& blob) { return std::string(blob.begin(), blob.end()); }

}  // namespace

Expected<dht::crypto::Identity> loadOrCreateIdentity(const std::string& dir) {
    namespace fs = std::filesystem;
    if (auto made = createPrivateDirectory(dir); !made) return made.error();
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
        // Written 0600 from creation: the node's private key is never readable by others.
        // Each replaces a lone file a crash between the two writes may have left.
        if (auto saved = writePrivateFile(keyPath.string(), toText(identity.first->serialize()), true); !saved)
            return saved.error();
        if (auto saved = writePrivateFile(certPath.string(), toText(identity.second->getPacked()), true); !saved)
            return saved.error();
        return identity;
    } catch (const std::exception& ex) {
        return makeError(Errc::Invalid, "node identity in " + dir + " is unusable: " + ex.what());
    }
}

Expected<crypto::VapidKeys> loadOrCreateSigningKey(const std::string& dir) {
    namespace fs = std::filesystem;
    if (dir.empty()) return crypto::generateVapidKeys();
    if (auto made = createPrivateDirectory(dir); !made) return made.error();
    const auto path = fs::path(dir) / "directory-key";
    if (fs::exists(path)) {
        // Two lines: the public point, then the private scalar, base64url.
        std::ifstream in(path);
        crypto::VapidKeys keys;
        if (!std::getline(in, keys.publicKey) || !std::getline(in, keys.privateKey))
            return makeError(Errc::Invalid, "the directory key in " + path.string() + " is unusable");
        return keys;
    }
    auto keys = crypto::generateVapidKeys();
    if (!keys) return keys.error();
    if (auto saved = writePrivateFile(path.string(), keys->publicKey + "\n" + keys->privateKey + "\n", true); !saved)
        return saved.error();
    return keys;
}

}  // namespace dhtpush::node
