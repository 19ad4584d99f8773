// The DHT node without OpenDHT's threads: its socket read by an io_context, its loop run
// on a strand of it, and nodes sharing one io_context with an HTTP server (as dhtpush-node).
#include <asio/executor_work_guard.hpp>
#include <asio/ip/udp.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "asio_udp_socket.h"
#include "await.h"
#include "local_dht_network.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

// An io_context run by one thread until the test ends (or stops it earlier).
struct IoThread {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread{[this] { io.run(); }};
    ~IoThread() { stop(); }
    void stop() {
        io.stop();
        if (thread.joinable()) thread.join();
    }
};

asio::ip::udp::endpoint loopback(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

}  // namespace

TEST_CASE("the DHT socket hands datagrams to OpenDHT on the io_context's thread and sends where told",
          "[integration]") {
    IoThread runner;
    std::atomic<int> passes{0};
    node::AsioUdpSocket socket(asio::make_strand(runner.io), dht::SockAddr::resolve("127.0.0.1", "0").front(),
                               [&] { ++passes; });
    const auto port = socket.getPort(AF_INET);
    REQUIRE(port != 0);
    CHECK(socket.bound(AF_INET));
    CHECK_FALSE(socket.bound(AF_INET6));
    // Claimed all the same: OpenDHT 2.4 listens properly only when both families run.
    CHECK(socket.hasIPv4());
    CHECK(socket.hasIPv6());

    std::mutex mutex;
    std::vector<std::string> received;
    std::vector<std::uint16_t> senders;
    std::thread::id readBy;
    socket.setOnReceive([&](dht::net::PacketList&& packets) {
        std::lock_guard<std::mutex> lock(mutex);
        for (auto& p : packets) {
            received.emplace_back(p.data.begin(), p.data.end());
            senders.push_back(p.from.getPort());
        }
        readBy = std::this_thread::get_id();
        return std::move(packets);  // recycled, as OpenDHT does
    });
    asio::post(runner.io, [&] { socket.startReceiving(); });

    asio::io_context local;
    asio::ip::udp::socket peer(local, loopback(0));
    for (const char* text : {"one", "two", "three"}) peer.send_to(asio::buffer(std::string(text)), loopback(port));
    REQUIRE(waitUntil([&] {
        std::lock_guard<std::mutex> lock(mutex);
        return received.size() == 3;
    }));
    {
        std::lock_guard<std::mutex> lock(mutex);
        CHECK(received == std::vector<std::string>{"one", "two", "three"});
        CHECK(senders == std::vector<std::uint16_t>(3, peer.local_endpoint().port()));
        CHECK(readBy == runner.thread.get_id());
    }
    CHECK(passes > 0);  // the loop ran after the packets went in

    const std::string reply = "reply";
    const auto to = dht::SockAddr::resolve("127.0.0.1", std::to_string(peer.local_endpoint().port())).front();
    REQUIRE(socket.sendTo(to, reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size(), false) == 0);
    std::array<char, 16> buffer{};
    asio::ip::udp::endpoint from;
    const auto n = peer.receive_from(asio::buffer(buffer), from);
    CHECK(std::string(buffer.data(), n) == reply);
    CHECK(from.port() == port);

    CHECK(socket.sendTo(dht::SockAddr::resolve("::1", "9").front(), reinterpret_cast<const std::uint8_t*>("x"), 1,
                        false) == EAFNOSUPPORT);
    CHECK(socket.sendTo(dht::SockAddr{}, reinterpret_cast<const std::uint8_t*>("x"), 1, false) == EFAULT);
    // The port is taken now: a second socket on it fails at once.
    CHECK_THROWS_AS(node::AsioUdpSocket(asio::make_strand(runner.io),
                                        dht::SockAddr::resolve("127.0.0.1", std::to_string(port)).front(), {}),
                    std::system_error);
    asio::post(runner.io, [&] { socket.stop(); });
    runner.stop();
}

TEST_CASE("the DHT socket also binds the other family, on the same port, and uses each for its peers",
          "[integration]") {
    IoThread runner;
    node::AsioUdpSocket socket(asio::make_strand(runner.io), dht::SockAddr::resolve("127.0.0.1", "0").front(), {},
                               dht::SockAddr::resolve("::1", "0").front());
    REQUIRE(socket.bound(AF_INET));
    REQUIRE(socket.bound(AF_INET6));
    const auto port = socket.getPort(AF_INET);
    CHECK(socket.getPort(AF_INET6) == port);

    std::mutex mutex;
    std::vector<int> families;
    socket.setOnReceive([&](dht::net::PacketList&& packets) {
        std::lock_guard<std::mutex> lock(mutex);
        for (auto& p : packets) families.push_back(p.from.getFamily());
        return std::move(packets);
    });
    asio::post(runner.io, [&] { socket.startReceiving(); });

    asio::io_context local;
    asio::ip::udp::socket peer4(local, loopback(0));
    asio::ip::udp::socket peer6(local, {asio::ip::make_address("::1"), 0});
    peer4.send_to(asio::buffer(std::string("four")), loopback(port));
    peer6.send_to(asio::buffer(std::string("six")), {asio::ip::make_address("::1"), port});
    REQUIRE(waitUntil([&] {
        std::lock_guard<std::mutex> lock(mutex);
        return families.size() == 2;
    }));
    {
        std::lock_guard<std::mutex> lock(mutex);
        std::sort(families.begin(), families.end());
        CHECK(families == std::vector<int>{AF_INET, AF_INET6});
    }

    const auto to6 = dht::SockAddr::resolve("::1", std::to_string(peer6.local_endpoint().port())).front();
    REQUIRE(socket.sendTo(to6, reinterpret_cast<const std::uint8_t*>("v6"), 2, false) == 0);
    std::array<char, 16> buffer{};
    asio::ip::udp::endpoint from;
    const auto n = peer6.receive_from(asio::buffer(buffer), from);
    CHECK(std::string(buffer.data(), n) == "v6");
    CHECK(from.port() == port);
    asio::post(runner.io, [&] { socket.stop(); });
    runner.stop();
}

TEST_CASE("a node's watch reports what is stored on the node itself", "[integration]") {
    // OpenDHT 2.4 registers a listen's local listener only when both address families run
    // (AsioUdpSocket claims both). Without it, a value stored on the listening node is never
    // reported: here a lone node, where nothing else could report it. 127.0.0.1 binds ::1
    // too; 127.0.0.2, an address of its own, binds IPv4 only.
    node::DhtNodeConfig config;
    config.bindAddress = GENERATE(as<std::string>{}, "127.0.0.1", "127.0.0.2");
    auto lone = node::DhtNode::start(config);
    REQUIRE(lone.ok());
    const auto key = crypto::SubscriptionToken::generate().dhtKey();
    std::mutex mutex;
    std::vector<std::string> got;
    auto watch = (*lone)->watch(key, node::KeyKind::Own, [&](const crypto::Bytes&, const node::Envelope& e) {
        std::lock_guard<std::mutex> lock(mutex);
        got.push_back(e.idText());
    });
    const auto envelope = node::Envelope::create(600, node::Urgency::Normal, "", "", crypto::toBytes("here"));
    (*lone)->publish(key, {}, envelope, {});
    REQUIRE(waitUntil([&] {
        std::lock_guard<std::mutex> lock(mutex);
        return !got.empty();
    }));
    {
        std::lock_guard<std::mutex> lock(mutex);
        CHECK(got == std::vector<std::string>{envelope.idText()});
    }
    (*lone)->cancel(watch);
}

TEST_CASE("DHT nodes on one shared io_context deliver, survive junk datagrams, and stop while it runs or after",
          "[integration]") {
    LocalDhtNetwork network(5);
    IoThread shared;
    auto startShared = [&] {
        auto config = network.joinConfig();
        config.io = &shared.io;
        auto node = node::DhtNode::start(config);
        REQUIRE(node.ok());
        auto& n = **node;
        REQUIRE(waitUntil([&] { return n.connected(); }));
        return std::move(*node);
    };
    auto publisher = startShared();
    auto listener = startShared();

    // Hostile bytes at both nodes' sockets: OpenDHT drops them, the nodes go on.
    asio::io_context local;
    asio::ip::udp::socket junk(local, loopback(0));
    // (Some of these make OpenDHT's msgpack parser ask for a 64 GiB array; malloc refuses and
    // OpenDHT drops the packet. The asan preset runs with allocator_may_return_null=1 for it.)
    std::mt19937 random(20261125);  // fixed: a failure here replays
    for (int i = 0; i < 200; ++i) {
        std::vector<std::uint8_t> bytes(1 + static_cast<std::size_t>(i) * 7 % 1400);
        for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
        for (auto* n : {publisher.get(), listener.get()}) junk.send_to(asio::buffer(bytes), loopback(n->port()));
    }

    const auto key = crypto::SubscriptionToken::generate().dhtKey();
    std::mutex mutex;
    std::vector<node::Envelope> got;
    std::thread::id calledOn;
    listener->watch(key, node::KeyKind::Own, [&](const crypto::Bytes&, const node::Envelope& e) {
        std::lock_guard<std::mutex> lock(mutex);
        got.push_back(e);
        calledOn = std::this_thread::get_id();
    });
    const auto envelope = node::Envelope::create(600, node::Urgency::Normal, "", "", crypto::toBytes("shared"));
    std::atomic<bool> stored{false};
    // The listen starts asynchronously: put until it reports (a later put of the same id is
    // the same DHT value). Under load several of these puts are in flight, and one may end
    // unstored while another stored the value (seen once in the ASan run of CI): one stored
    // put is what is asked.
    REQUIRE(waitUntil([&] {
        publisher->publish(key, {}, envelope, [&](bool ok) {
            if (ok) stored = true;
        });
        std::lock_guard<std::mutex> lock(mutex);
        return !got.empty();
    }));
    CHECK(waitUntil([&] { return stored.load(); }));
    {
        std::lock_guard<std::mutex> lock(mutex);
        CHECK(got.front().id == envelope.id);
        CHECK(calledOn == shared.thread.get_id());
    }

    publisher->shutdown();  // the io_context still runs: stopped on its strand
    CHECK(listener->connected());
    shared.stop();
    listener->shutdown();  // the io_context has stopped
}

// What an overloaded node sees: datagrams that arrive while it cannot read overflow the
// socket's buffer, and the kernel's count of them is reported (dht.receive_drops in /health).
TEST_CASE("the DHT socket counts the datagrams the kernel dropped while it could not read", "[integration]") {
    asio::io_context io;  // not run yet: the node is busy
    node::AsioUdpSocket socket(asio::make_strand(io), dht::SockAddr::resolve("127.0.0.1", "0").front(), {});
    std::atomic<std::size_t> received{0};
    std::atomic<bool> lateOneRead{false};
    socket.setOnReceive([&](dht::net::PacketList&& packets) {
        received += packets.size();
        for (const auto& p : packets) lateOneRead = lateOneRead || p.data.size() == 4;
        return std::move(packets);
    });
    asio::post(io, [&] { socket.startReceiving(); });
    asio::io_context local;
    asio::ip::udp::socket peer(local, loopback(0));
    // 4 MiB of buffer hold well under 6,000 datagrams of 1,400 bytes (each costs its size and
    // the kernel's bookkeeping).
    const std::string datagram(1400, 'x');
    for (int i = 0; i < 6000; ++i) peer.send_to(asio::buffer(datagram), loopback(socket.getPort(AF_INET)));
    CHECK(socket.receiveDrops() == 0);  // nothing read yet: the count comes with a datagram
    // Now it reads what the buffer kept. The kernel stamps each datagram with the drops so
    // far as it queues it, so the count comes with the first one queued after the drops.
    std::thread reader([&] { io.run_for(std::chrono::seconds(10)); });
    CHECK(waitUntil([&] { return received.load() > 0; }));
    peer.send_to(asio::buffer(std::string("late")), loopback(socket.getPort(AF_INET)));
    CHECK(waitUntil([&] { return lateOneRead.load(); }));
    asio::post(io, [&] {
        CHECK(socket.receiveDrops() > 0);
        CHECK(socket.receiveDrops() + received.load() <= 6001);
        socket.stop();
        io.stop();
    });
    reader.join();
}

TEST_CASE("a DHT node given a strand runs on its io_context, and refuses another io_context", "[integration]") {
    IoThread shared;
    node::DhtNodeConfig config;
    config.bindAddress = "127.0.0.1";
    config.strand = asio::make_strand(shared.io);
    auto onStrand = node::DhtNode::start(config);
    REQUIRE(onStrand.ok());
    // Its loop runs on the shared thread: a watch's callback for a value it stores itself
    // comes from there.
    std::atomic<bool> onShared{false};
    const auto key = crypto::SubscriptionToken::generate().dhtKey();
    (*onStrand)->watch(key, node::KeyKind::Own, [&](const crypto::Bytes&, const node::Envelope&) {
        onShared = std::this_thread::get_id() == shared.thread.get_id();
    });
    (*onStrand)->publish(key, {}, node::Envelope::create(60, node::Urgency::Normal, "", "", crypto::toBytes("x")), {});
    CHECK(waitUntil([&] { return onShared.load(); }));
    (*onStrand)->shutdown();

    asio::io_context other;
    config.io = &other;
    auto mismatched = node::DhtNode::start(config);
    REQUIRE_FALSE(mismatched.ok());
    CHECK(mismatched.error().code == Errc::Invalid);
}
