#include "io_context_keeper.h"

#include <mutex>
#include <vector>

namespace dhtpush::proxy {
namespace {

// An asio service: io_context's destructor first shuts every service down (the reactor
// and the scheduler destroy the pending operations there), then destroys the services.
// This one keeps its objects through the shutdown and lets them go when it is destroyed.
class Keeper : public asio::execution_context::service {
public:
    using key_type = Keeper;
    static inline asio::execution_context::id id;

    explicit Keeper(asio::execution_context& context) : service(context) {}

    void keep(std::shared_ptr<void> object) {
        std::lock_guard<std::mutex> lock(mutex_);
        kept_.push_back(std::move(object));
    }

private:
    void shutdown() override {}

    std::mutex mutex_;
    std::vector<std::shared_ptr<void>> kept_;
};

}  // namespace

void keepUntilIoContextEnds(asio::io_context& io, std::shared_ptr<void> object) {
    asio::use_service<Keeper>(io).keep(std::move(object));
}

}  // namespace dhtpush::proxy
