#include "acking_device.h"

#include "await.h"
#include "dhtpush/client/device_client.h"

namespace dhtpush::bench {

AckingDevice::AckingDevice(client::ProxyAccount account, std::function<void(const node::DeliveredMessage&)> onMessage)
    : account_(std::move(account)), onMessage_(std::move(onMessage)) {
    stream_ = std::thread([this] {
        // As `dhtpush listen` does: a stream the proxy closed (it closes one whose device
        // reads too slowly, event_stream.h) is opened again where it left off. A bench device
        // that stopped there would count every later message as lost.
        std::string lastEventId;
        while (!stop_) {
            client::streamMessages(
                account_,
                [this](const node::DeliveredMessage& m) {
                    onMessage_(m);
                    std::lock_guard<std::mutex> lock(mutex_);
                    toAck_.push_back(m.envelope.idText());
                    return true;
                },
                stop_, &lastEventId);
            test::waitUntil([this] { return stop_.load(); }, std::chrono::milliseconds(100));
        }
    });
    acker_ = std::thread([this] {
        while (!stop_) {
            std::vector<std::string> batch;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                batch.swap(toAck_);
            }
            // A batch the proxy did not take is sent again: else its messages would fill the
            // mailbox for good, as a real device's would.
            if (!batch.empty() && !client::acknowledge(account_, batch)) {
                std::lock_guard<std::mutex> lock(mutex_);
                toAck_.insert(toAck_.begin(), batch.begin(), batch.end());
            }
            test::waitUntil([this] { return stop_.load(); }, std::chrono::milliseconds(50));
        }
    });
}

AckingDevice::~AckingDevice() {
    stop_ = true;
    stream_.join();
    acker_.join();
}

}  // namespace dhtpush::bench
