#pragma once
// The HTTPS listener of a node: the same routes as plain HTTP, over TLS.
#include <cstdint>
#include <string>

namespace dhtpush::proxy {

struct HttpsConfig {
    std::string address{"127.0.0.1"};
    std::uint16_t port{0};        // 0 picks a free port; read it back with ProxyServer::httpsPort()
    std::string certFile;         // PEM certificate chain; HTTPS is on when both files are set
    std::string keyFile;          // PEM private key of that certificate

    bool enabled() const { return !certFile.empty() && !keyFile.empty(); }
};

}  // namespace dhtpush::proxy
