#pragma once
// Looks once a second whether a listener's accepts stalled after a failed accept() and has
// its AcceptLimiter issue them again (accept_limiter.h). Made before its restinio server;
// the limiter restinio makes inside the server's constructor finds it through Building.
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace dhtpush::proxy {

class AcceptLimiter;

class AcceptWatch : public std::enable_shared_from_this<AcceptWatch> {
public:
    // `onRestart(n)`: n accepts were issued again (to count and report).
    AcceptWatch(asio::io_context& io, std::function<void(std::size_t)> onRestart,
                std::chrono::milliseconds period = std::chrono::seconds(1));

    // While it lives, the AcceptLimiter made on this thread joins `watch`: restinio makes the
    // limiter itself, inside the server's constructor, and hands it only its acceptor.
    class Building {
    public:
        explicit Building(std::shared_ptr<AcceptWatch> watch);
        ~Building();
        Building(const Building&) = delete;
        Building& operator=(const Building&) = delete;
    };

    // The listening socket, once bound (restinio's post-bind hook): the looks start.
    void bound(asio::ip::tcp::acceptor& acceptor);
    void stop();

private:
    friend class AcceptLimiter;
    static std::shared_ptr<AcceptWatch> building();
    void attach(AcceptLimiter* limiter) { limiter_ = limiter; }
    void detach(AcceptLimiter* limiter);
    void schedule();
    void look();

    asio::steady_timer timer_;
    std::function<void(std::size_t)> onRestart_;
    std::chrono::milliseconds period_;
    AcceptLimiter* limiter_{nullptr};                     // until the limiter is destroyed
    asio::ip::tcp::acceptor* acceptor_{nullptr};  // lives as long as the limiter
    bool stopped_{false};
};

}  // namespace dhtpush::proxy
