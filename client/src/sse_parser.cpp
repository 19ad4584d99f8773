#include "dhtpush/client/sse_parser.h"

namespace dhtpush::client {

bool SseParser::feed(std::string_view bytes) {
    for (const char c : bytes) {
        if (skipLf_) {
            skipLf_ = false;
            if (c == '\n') continue;
        }
        if (c == '\r' || c == '\n') {
            skipLf_ = c == '\r';
            onLine(line_);
            line_.clear();
            continue;
        }
        if (line_.size() + event_.data.size() >= MAX_EVENT_BYTES) {
            overflow_ = true;
            line_.clear();
            event_ = SseEvent{};
            haveData_ = false;
            continue;
        }
        line_ += c;
    }
    return !overflow_;
}

void SseParser::onLine(std::string_view line) {
    if (line.empty()) {  // blank line: dispatch
        if (haveData_) {
            if (!event_.data.empty() && event_.data.back() == '\n') event_.data.pop_back();
            event_.id = lastEventId_;
            callback_(event_);
        }
        event_ = SseEvent{};
        haveData_ = false;
        return;
    }
    if (line.front() == ':') return;  // comment, e.g. keep-alive
    const auto colon = line.find(':');
    const auto field = line.substr(0, colon);
    auto value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
        event_.data.append(value);
        event_.data += '\n';
        haveData_ = true;
    } else if (field == "event") {
        event_.type = std::string(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) lastEventId_ = std::string(value);
    }
}

}  // namespace dhtpush::client
