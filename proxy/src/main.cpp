// dhtpush-node: parse options, start the DHT node and the proxy, run until a signal.
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include <functional>
#include <iostream>

#include "dhtpush/node/dht_node.h"
#include "dhtpush/node/log.h"
#include "dhtpush/proxy/server.h"
#include "node_config_file.h"
#include "node_options.h"

int main(int argc, char** argv) {
    using namespace dhtpush;
    auto options = proxy::parseNodeOptions(std::vector<std::string>(argv + 1, argv + argc));
    if (!options) {
        std::cerr << "dhtpush-node: " << options.error().detail << "\n";  // a usage error, for the person typing
        return 2;
    }
    log::setLevel(options->logLevel);
    if (options->help) {
        std::cout << proxy::nodeUsage();
        return 0;
    }
    if (options->checkConfig) {
        std::cout << proxy::effectiveConfig(*options);
        return 0;
    }
    if (options->version) {
        std::cout << "dhtpush-node " DHTPUSH_VERSION "\n";
        return 0;
    }
    // Every connected device holds a socket: allow as many as the system lets this user.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    // Two threads: the DHT node runs on one of its own, the HTTP server and the delivery hub
    // on this one, so that HTTP (/health included) keeps answering while the DHT is busy;
    // what crosses between them is bounded (the publish backlog, docs/security.md).
    asio::io_context io;
    auto dht = node::DhtNode::start(options->dht);
    if (!dht) {
        log::error("cannot start: {}", dht.error().detail);
        return 1;
    }
    auto server = proxy::ProxyServer::start(io, **dht, options->proxy);
    if (!server) {
        log::error("cannot start: {}", server.error().detail);
        return 1;
    }
    log::info("started: HTTP on {}:{}{}, DHT on UDP port {} (network {:#x}{}), node id {}, data in {}",
              options->proxy.httpAddress, (*server)->port(),
              (*server)->httpsPort() ? ", HTTPS on port " + std::to_string((*server)->httpsPort()) : std::string(),
              (*dht)->port(), options->dht.networkId, options->proxy.standalone ? ", standalone" : "",
              (*dht)->nodeId(), options->dht.dataDir);
    // Under systemd (Type=notify): serving now. Elsewhere NOTIFY_SOCKET is unset and this does nothing.
    sd_notify(0, "READY=1\nSTATUS=serving");
    std::cout << "dhtpush-node running\n"
              << "  HTTP       http://" << options->proxy.httpAddress << ":" << (*server)->port() << "\n"
              << ((*server)->httpsPort() ? "  HTTPS      https://" + options->proxy.https.address + ":" +
                                               std::to_string((*server)->httpsPort()) + "  (certificate " +
                                               options->proxy.https.certFile + ")\n"
                                         : "")
              << "  endpoints  " << (*server)->baseUrl() << "/wp/<token>  (health: " << (*server)->baseUrl()
              << "/health)\n"
              << "  DHT        udp port " << (*dht)->port() << ", network 0x" << std::hex << options->dht.networkId
              << std::dec << ", node id " << (*dht)->nodeId() << "\n"
              << "  data       " << options->dht.dataDir << "\n"
              << (options->proxy.standalone ? "  standalone (no bootstrap): other nodes join with --bootstrap "
                                              "127.0.0.1:" + std::to_string((*dht)->port()) + "\n"
                                            : "")
              << std::flush;

    asio::signal_set signals(io, SIGINT, SIGTERM);
    // SIGHUP: the TLS certificate again, as ACME clients ask after a renewal.
    asio::signal_set reload(io, SIGHUP);
    asio::steady_timer grace(io);
    signals.async_wait([&](const asio::error_code& ec, int) {
        if (ec) return;
        log::info("shutting down");
        sd_notify(0, "STOPPING=1");
        reload.cancel();
        (*server)->stop();
        // Idle keep-alive connections would hold run() for their read timeout: give
        // in-flight responses a moment, then stop.
        grace.expires_after(std::chrono::milliseconds(300));
        grace.async_wait([&](const asio::error_code&) { io.stop(); });
    });
    std::function<void()> awaitReload = [&] {
        reload.async_wait([&](const asio::error_code& ec, int) {
            if (ec) return;
            if (auto reloaded = (*server)->reloadCertificate(); reloaded)
                log::info("SIGHUP: TLS certificate reloaded from {}", options->proxy.https.certFile);
            else
                log::error("SIGHUP: {}; still serving the previous certificate", reloaded.error().detail);
            awaitReload();
        });
    };
    awaitReload();
    io.run();
    server->reset();
    (*dht)->shutdown();
    log::info("stopped");
    return 0;
}
