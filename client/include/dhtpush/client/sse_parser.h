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
    // Feeds any split of the stream. An event above MAX_EVENT_BYTES is dropped whole (the
    // parser resumes at the next event); returns false once such an overflow happened.
    bool feed(std::string_view bytes);
    const std::string& lastEventId() const { return lastEventId_; }

private:
    void onLine(std::string_view line);

    Callback callback_;
    std::string line_;
    SseEvent event_;
    bool haveData_{false};
    bool overflow_{false};
    bool discardLine_{false};   // inside a line that overflowed: skip to its end
    bool discardEvent_{false};  // the current event had an overflowed line: never dispatch it
    bool skipLf_{false};
    std::string lastEventId_;
};

}  // namespace dhtpush::client
