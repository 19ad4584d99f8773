#pragma once
// Incremental Server-Sent Events parser (WHATWG HTML §9.2.6), no I/O: bytes in, events out.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace dhtpush::client {

struct SseEvent {
    std::string id;
    std::string type{"message"};
    std::string data;
};

class SseParser {
public:
    static constexpr std::size_t MAX_EVENT_BYTES = 64 * 1024;
    using Callback = std::function<void(const SseEvent&)>;

    explicit SseParser(Callback callback) : callback_(std::move(callback)) {}
    // Feeds any split of the stream. Lines longer than MAX_EVENT_BYTES are dropped with
    // their event; returns false once such an overflow happened.
    bool feed(std::string_view bytes);
    const std::string& lastEventId() const { return lastEventId_; }

private:
    void onLine(std::string_view line);

    Callback callback_;
    std::string line_;
    SseEvent event_;
    bool haveData_{false};
    bool overflow_{false};
    bool skipLf_{false};
    std::string lastEventId_;
};

}  // namespace dhtpush::client
