#pragma once
// Many long-lived streaming HTTP GETs (event streams, OpenDHT proxy listens) held open by
// one thread, reading and discarding what arrives: the load of C connected devices.
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace dhtpush::bench {

class StreamClients {
public:
    StreamClients();
    ~StreamClients();

    // Opens a GET to host:port/path with the extra header lines; spreads source addresses
    // over 127.0.0.x so that tens of thousands of connections do not exhaust local ports.
    void open(std::uint16_t port, const std::string& path, const std::string& headers);
    // Connections whose response headers arrived with a 200.
    std::size_t established() const { return established_; }
    std::size_t failed() const { return failed_; }
    std::size_t opened() const { return opened_; }

private:
    struct Stream;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::vector<std::shared_ptr<Stream>> streams_;
    std::atomic<std::size_t> established_{0}, failed_{0};
    std::size_t opened_{0};
    std::thread thread_;
};

// Raises the soft limit of open files to the hard limit; returns the new soft limit.
std::size_t raiseFileLimit();

}  // namespace dhtpush::bench
