// Debian's libopendht was built with OPENDHT_PUSH_NOTIFICATIONS and friends; a user compiled
// without the same defines sees other class layouts. The library allocates a DhtProxyServer
// with its own layout and we delete it with ours: under the asan preset a mismatch is a
// new-delete-type-mismatch report, so this test is the proof that cmake/Dependencies.cmake
// has the defines right.
#include <opendht/dht_proxy_server.h>
#include <opendht/dhtrunner.h>

#include <catch2/catch.hpp>

TEST_CASE("OpenDHT classes have the same layout in the library and in our code", "[integration]") {
    auto runner = std::make_shared<dht::DhtRunner>();
    dht::DhtRunner::Config config;
    config.dht_config.node_config.network = 0x7e57aaaa;
    config.bind4 = dht::SockAddr::resolve("127.0.0.1", "0").front();
    runner->run(config, {});
    REQUIRE(runner->getBoundPort(AF_INET) != 0);

    dht::ProxyServerConfig proxyConfig;
    proxyConfig.address = "127.0.0.1";
    proxyConfig.port = 0;
    auto server = std::make_unique<dht::DhtProxyServer>(runner, proxyConfig);
    CHECK(&server->io_context() != nullptr);  // reads a member through the library's layout
    server.reset();

    runner->shutdown({}, true);
    runner->join();
}
