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
            if (discardLine_) discardLine_ = false;  // the overflowed line ends here; its event stays dropped
            else onLine(line_);
            line_.clear();
            continue;
        }
        if (discardLine_) continue;
        if (line_.size() + event_.data.size() >= MAX_EVENT_BYTES) {
            // Drop the rest of this line and the whole event it belongs to: a tail of an
            // oversized line must never be read as a line of its own.
            overflow_ = true;
            discardLine_ = true;
            discardEvent_ = true;
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
        if (haveData_ && !discardEvent_) {
            if (!event_.data.empty() && event_.data.back() == '\n') event_.data.pop_back();
            if (event_.type.empty()) event_.type = "message";
            event_.id = lastEventId_;
            callback_(event_);
        }
        event_ = SseEvent{};
        haveData_ = false;
        discardEvent_ = false;
        return;
    }
    if (discardEvent_) return;
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
