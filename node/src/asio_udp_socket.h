#pragma once
// OpenDHT's datagram socket on an asio executor: packets are read by the thread that runs
// the node's io_context and handed to OpenDHT there, instead of by a receive thread of
// OpenDHT's own that then wakes its DHT thread (two thread hops per packet).
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/strand.hpp>

#include <opendht/network_utils.h>

#include <functional>

#include "dhtpush/node/dht_node.h"

namespace dhtpush::node {

using DhtStrand = Strand;

class AsioUdpSocket : public dht::net::DatagramSocket {
public:
    // Binds at once (throws std::system_error when the address cannot be bound, as
    // OpenDHT's own socket does). `onPackets` runs on the strand after packets went to
    // OpenDHT: the moment to run its loop.
    AsioUdpSocket(DhtStrand strand, const dht::SockAddr& bind, std::function<void()> onPackets);
    ~AsioUdpSocket() override;

    // Starts reading; call on the strand or before the io_context runs.
    void startReceiving();

    int sendTo(const dht::SockAddr& dest, const uint8_t* data, size_t size, bool replied) override;
    bool hasIPv4() const override { return bound4_.getFamily() == AF_INET; }
    bool hasIPv6() const override { return bound6_.getFamily() == AF_INET6; }
    const dht::SockAddr& getBoundRef(sa_family_t family = AF_UNSPEC) const override;
    // Closes the socket; call on the strand or once the io_context has stopped.
    void stop() override;

private:
    void waitReadable();
    void readSome();
    // Hands OpenDHT the next packet; false when there was none.
    bool readOne();

    asio::ip::udp::socket socket_;
    std::function<void()> onPackets_;
    dht::SockAddr bound4_, bound6_;
};

}  // namespace dhtpush::node
