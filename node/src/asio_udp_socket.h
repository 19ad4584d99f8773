#pragma once
// OpenDHT's datagram socket on an asio executor: packets are read by the thread that runs
// the node's io_context and handed to OpenDHT there, instead of by a receive thread of
// OpenDHT's own that then wakes its DHT thread (two thread hops per packet).
//
// It reports both address families as running, whichever it could bind: OpenDHT 2.4's
// Dht::listen returns token 0 unless both run, and then registers no local listener (a value
// stored on the listening node itself is never reported) and can never be cancelled (the
// listen goes on for good). Sending to a family without a bound socket fails with
// EAFNOSUPPORT, which OpenDHT treats as an unreachable node.
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/strand.hpp>

#include <opendht/network_utils.h>

#include <functional>
#include <optional>

#include "dhtpush/node/dht_node.h"

namespace dhtpush::node {

using DhtStrand = Strand;

class AsioUdpSocket : public dht::net::DatagramSocket {
public:
    // Binds `bind` at once (throws std::system_error when it cannot be bound, as OpenDHT's
    // own socket does), then `alsoBind`, an address of the other family, on the same port
    // when free, else on any: a host without that family just goes without it.
    // `onPackets` runs on the strand after packets went to OpenDHT: the moment to run its loop.
    AsioUdpSocket(DhtStrand strand, const dht::SockAddr& bind, std::function<void()> onPackets,
                  const std::optional<dht::SockAddr>& alsoBind = std::nullopt);
    ~AsioUdpSocket() override;

    // Starts reading; call on the strand or before the io_context runs.
    void startReceiving();

    int sendTo(const dht::SockAddr& dest, const uint8_t* data, size_t size, bool replied) override;
    bool hasIPv4() const override { return true; }
    bool hasIPv6() const override { return true; }
    // Whether a socket of that family is bound (what hasIPv4/hasIPv6 do not say).
    bool bound(sa_family_t family) const { return channel(family).socket.is_open(); }
    const dht::SockAddr& getBoundRef(sa_family_t family = AF_UNSPEC) const override;
    // Closes the sockets; call on the strand or once the io_context has stopped.
    void stop() override;
    // Datagrams the kernel dropped because the receive buffer was full (both sockets, as the
    // kernel counted them when it queued the last datagram read): the node could not keep up. A dropped
    // listen notification is not resent by OpenDHT. Call on the strand.
    std::uint64_t receiveDrops() const { return v4_.drops + v6_.drops; }

private:
    struct Channel {
        explicit Channel(DhtStrand& strand) : socket(strand) {}
        asio::ip::udp::socket socket;
        dht::SockAddr address;
        std::uint32_t drops{0};  // SO_RXQ_OVFL: the kernel's count for this socket
    };
    Channel& channel(sa_family_t family) { return family == AF_INET6 ? v6_ : v4_; }
    const Channel& channel(sa_family_t family) const { return family == AF_INET6 ? v6_ : v4_; }
    static void open(Channel& channel, const dht::SockAddr& bind);
    void waitReadable(Channel& channel);
    void readSome(Channel& channel);
    // Hands OpenDHT the next packet; false when there was none.
    bool readOne(Channel& channel);

    DhtStrand strand_;
    Channel v4_, v6_;
    std::function<void()> onPackets_;
};

}  // namespace dhtpush::node
