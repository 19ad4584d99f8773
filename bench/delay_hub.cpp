#include "delay_hub.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dhtpush::bench {
namespace {

using Clock = std::chrono::steady_clock;

// struct virtio_net_hdr of <linux/virtio_net.h>, which is not valid C++ (a member named
// `class`): the fixed layout PACKET_VNET_HDR puts before each frame.
struct VirtioNetHeader {
    std::uint8_t flags;
    std::uint8_t gsoType;  // 0: a whole frame, not a segment to be cut
    std::uint16_t headerLength, gsoSize, checksumStart, checksumOffset;
};
static_assert(sizeof(VirtioNetHeader) == 10, "the kernel's virtio_net_hdr is 10 bytes");
constexpr std::uint8_t GSO_NONE = 0;
using Mac = std::array<std::uint8_t, ETH_ALEN>;

constexpr std::size_t VNET = sizeof(VirtioNetHeader);
constexpr std::size_t MAX_FRAME = VNET + 65536 + ETH_HLEN;  // a TCP segment of 64 KiB as veth hands it over
constexpr std::size_t MAX_QUEUED_BYTES = std::size_t{64} << 20;
constexpr std::size_t MAX_MACS = 4096;  // more than the bench's hosts will ever show

volatile sig_atomic_t stopRequested = 0;
volatile sig_atomic_t delayChanged = 0;
void requestStop(int) { stopRequested = 1; }
void requestDelayChange(int) { delayChanged = 1; }

// One end of a veth pair, read and written whole frames at a time.
class Port {
public:
    explicit Port(const std::string& name) : name_(name) {
        const unsigned index = if_nametoindex(name.c_str());
        if (index == 0) throw std::runtime_error("no interface " + name);
        fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (fd_ < 0) throw std::runtime_error("packet socket: " + std::string(std::strerror(errno)));
        const int on = 1;
        // Our own sends on this port are not frames to forward.
        if (setsockopt(fd_, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on) != 0 ||
            setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on) != 0)
            throw std::runtime_error("packet socket options on " + name + ": " + std::strerror(errno));
        sockaddr_ll address{};
        address.sll_family = AF_PACKET;
        address.sll_protocol = htons(ETH_P_ALL);
        address.sll_ifindex = static_cast<int>(index);
        if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("bind to " + name + ": " + std::strerror(errno));
        packet_mreq promiscuous{};
        promiscuous.mr_ifindex = static_cast<int>(index);
        promiscuous.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &promiscuous, sizeof promiscuous) != 0)
            throw std::runtime_error("promiscuous " + name + ": " + std::strerror(errno));
    }
    ~Port() { close(fd_); }
    Port(const Port&) = delete;
    Port& operator=(const Port&) = delete;

    int fd() const { return fd_; }
    // A frame (virtio header first), or empty when none is waiting.
    std::vector<std::uint8_t> receive() {
        for (;;) {
            const auto n = recv(fd_, buffer_.data(), buffer_.size(), MSG_TRUNC);
            if (n < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                    throw std::runtime_error("recv on " + name_ + ": " + std::strerror(errno));
                return {};
            }
            const auto size = static_cast<std::size_t>(n);
            if (size > buffer_.size() || size < VNET + ETH_HLEN) continue;  // truncated or runt: skip it
            return std::vector<std::uint8_t>(buffer_.begin(), buffer_.begin() + n);
        }
    }
    // False when the kernel would not take it now (a full socket buffer): the frame is lost,
    // as on a wire.
    bool send(const std::vector<std::uint8_t>& frame) { return ::send(fd_, frame.data(), frame.size(), 0) >= 0; }

private:
    std::string name_;
    int fd_{-1};
    std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(MAX_FRAME);
};

struct Waiting {
    Clock::time_point due;
    std::size_t from;
    std::vector<std::uint8_t> frame;
};

Mac macAt(const std::vector<std::uint8_t>& frame, std::size_t offset) {
    Mac mac;
    std::memcpy(mac.data(), frame.data() + VNET + offset, ETH_ALEN);
    return mac;
}

// A whole UDP datagram (not a segment of something larger): what the loss applies to.
bool isUdp(const std::vector<std::uint8_t>& frame) {
    VirtioNetHeader header;
    std::memcpy(&header, frame.data(), VNET);
    if (header.gsoType != GSO_NONE) return false;
    const std::size_t l3 = VNET + ETH_HLEN;
    const unsigned type = (frame[l3 - 2] << 8) | frame[l3 - 1];
    if (type == ETH_P_IP) return frame.size() > l3 + 9 && frame[l3 + 9] == IPPROTO_UDP;
    if (type == ETH_P_IPV6) return frame.size() > l3 + 6 && frame[l3 + 6] == IPPROTO_UDP;
    return false;
}

std::vector<std::string> splitComma(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

class Hub {
public:
    Hub(const std::vector<std::string>& names, std::chrono::microseconds delay, unsigned lossPermille,
        std::string delayFile)
        : delay_(delay), lossPermille_(lossPermille), delayFile_(std::move(delayFile)), random_(std::random_device{}()) {
        for (const auto& name : names) ports_.push_back(std::make_unique<Port>(name));
    }

    void run() {
        std::vector<pollfd> polled;
        for (const auto& port : ports_) polled.push_back({port->fd(), POLLIN, 0});
        while (!stopRequested) {
            if (delayChanged) readDelay();
            const auto wait = queue_.empty() ? std::chrono::milliseconds(100)
                                             : std::chrono::duration_cast<std::chrono::nanoseconds>(queue_.front().due - Clock::now());
            const auto ns = std::max<std::int64_t>(0, wait.count());
            const timespec timeout{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
            if (ppoll(polled.data(), polled.size(), &timeout, nullptr) < 0 && errno != EINTR)
                throw std::runtime_error(std::string("ppoll: ") + std::strerror(errno));
            for (std::size_t i = 0; i < polled.size(); ++i)
                if (polled[i].revents & POLLIN) take(i);
            sendDue();
        }
    }

    void report(std::ostream& out) const {
        out << "{\"forwarded\":" << forwarded_ << ",\"lost\":" << lost_ << ",\"dropped_queue_full\":" << droppedFull_
            << ",\"dropped_send\":" << droppedSend_ << ",\"delay_us\":" << delay_.count()
            << ",\"loss_permille\":" << lossPermille_ << "}" << std::endl;
    }

private:
    // The new delay holds for frames taken from now on. Frames leave in the order they came, so
    // after a shorter delay is set the new ones wait for the older ones still queued: no
    // reordering, as with netem without jitter.
    void readDelay() {
        delayChanged = 0;
        std::ifstream in(delayFile_);
        unsigned long ms = 0;
        if (delayFile_.empty() || !(in >> ms) || ms > 10000) {
            std::cerr << "delay-hub: no delay in milliseconds (0-10000) in '" << delayFile_ << "'; kept "
                      << delay_.count() << " us" << std::endl;
            return;
        }
        delay_ = std::chrono::milliseconds(ms);
        std::cerr << "delay-hub: delay now " << delay_.count() << " us" << std::endl;
    }

    void take(std::size_t from) {
        for (auto frame = ports_[from]->receive(); !frame.empty(); frame = ports_[from]->receive()) {
            learn(macAt(frame, ETH_ALEN), from);
            if (lossPermille_ != 0 && isUdp(frame) && random_() % 1000 < lossPermille_) {
                ++lost_;
                continue;
            }
            if (queuedBytes_ + frame.size() > MAX_QUEUED_BYTES) {
                ++droppedFull_;
                continue;
            }
            queuedBytes_ += frame.size();
            // One delay for every frame: the queue stays in order of due time.
            queue_.push_back({Clock::now() + delay_, from, std::move(frame)});
        }
    }

    void learn(const Mac& source, std::size_t port) {
        if (source[0] & 1) return;  // a group address is never a source
        auto it = macs_.find(source);
        if (it != macs_.end()) it->second = port;
        else if (macs_.size() < MAX_MACS) macs_.emplace(source, port);
    }

    void sendDue() {
        const auto now = Clock::now();
        while (!queue_.empty() && queue_.front().due <= now) {
            auto& waiting = queue_.front();
            const auto destination = macAt(waiting.frame, 0);
            auto known = macs_.find(destination);
            for (std::size_t to = 0; to < ports_.size(); ++to) {
                if (to == waiting.from) continue;
                if (!(destination[0] & 1) && known != macs_.end() && known->second != to) continue;
                if (ports_[to]->send(waiting.frame)) ++forwarded_;
                else ++droppedSend_;
            }
            queuedBytes_ -= waiting.frame.size();
            queue_.pop_front();
        }
    }

    std::vector<std::unique_ptr<Port>> ports_;
    std::chrono::microseconds delay_;
    unsigned lossPermille_;
    std::string delayFile_;
    std::minstd_rand random_;
    std::map<Mac, std::size_t> macs_;
    std::deque<Waiting> queue_;
    std::size_t queuedBytes_{0};
    std::uint64_t forwarded_{0}, lost_{0}, droppedFull_{0}, droppedSend_{0};
};

}  // namespace

int runDelayHub(const std::map<std::string, std::string>& options) {
    auto it = options.find("--ports");
    const auto names = it == options.end() ? std::vector<std::string>{} : splitComma(it->second);
    if (names.size() < 2) {
        std::cerr << "dhtpush-delay-hub: --ports needs two interfaces or more (v1,v2,...)\n";
        return 2;
    }
    const auto number = [&](const char* name, unsigned long fallback) {
        auto found = options.find(name);
        return found == options.end() ? fallback : std::stoul(found->second);
    };
    const auto delay = std::chrono::microseconds(number("--delay-us", number("--delay-ms", 10) * 1000));
    const auto loss = static_cast<unsigned>(number("--loss-permille", 0));
    if (loss > 1000) {
        std::cerr << "dhtpush-delay-hub: --loss-permille is at most 1000\n";
        return 2;
    }
    struct sigaction action{};
    action.sa_handler = requestStop;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    action.sa_handler = requestDelayChange;
    sigaction(SIGUSR1, &action, nullptr);
    auto file = options.find("--delay-file");
    Hub hub(names, delay, loss, file == options.end() ? std::string() : file->second);
    std::cerr << "delay-hub: " << names.size() << " ports, " << delay.count() << " us, " << loss << " per mille of UDP lost"
              << std::endl;
    hub.run();
    hub.report(std::cout);
    return 0;
}

}  // namespace dhtpush::bench
