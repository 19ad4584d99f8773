#pragma once
// A device's event stream on a proxy, handed to a callback on the receiving thread, with
// acks sent in batches from a thread of their own every 50 ms, as `dhtpush listen` does.
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dhtpush/client/device_state.h"
#include "dhtpush/node/message_json.h"

namespace dhtpush::bench {

class AckingDevice {
public:
    AckingDevice(client::ProxyAccount account, std::function<void(const node::DeliveredMessage&)> onMessage);
    ~AckingDevice();
    AckingDevice(const AckingDevice&) = delete;
    AckingDevice& operator=(const AckingDevice&) = delete;

private:
    client::ProxyAccount account_;
    std::function<void(const node::DeliveredMessage&)> onMessage_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<std::string> toAck_;
    std::thread stream_, acker_;
};

}  // namespace dhtpush::bench
