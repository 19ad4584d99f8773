#include "http_head_check.h"

#include "header_text.h"

#include <algorithm>
#include <cctype>

namespace dhtpush::proxy {
namespace {

// The longest line of each kind that can still be within the limits (name, ": ", value).
constexpr std::size_t MAX_REQUEST_LINE = MAX_URL_BYTES + 32;
constexpr std::size_t MAX_FIELD_LINE = MAX_FIELD_NAME_BYTES + MAX_FIELD_VALUE_BYTES + 8;

bool isTokenChar(unsigned char c) {  // RFC 9110 tchar
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Strict UTF-8 (RFC 3629): no overlong forms, surrogates or code points above U+10FFFF.
bool isUtf8(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t extra;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xe0) == 0xc0) extra = 1, cp = c & 0x1fu;
        else if ((c & 0xf0) == 0xe0) extra = 2, cp = c & 0x0fu;
        else if ((c & 0xf8) == 0xf0) extra = 3, cp = c & 0x07u;
        else return false;
        if (i + extra >= bytes.size()) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(bytes[i + k]);
            if ((b & 0xc0) != 0x80) return false;
            cp = cp << 6 | (b & 0x3fu);
        }
        static constexpr std::uint32_t MIN_FOR[] = {0, 0x80, 0x800, 0x10000};
        if (cp < MIN_FOR[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += extra + 1;
    }
    return true;
}

// The target's percent-encoding decodes to UTF-8 text without control characters: what the
// router can match (restinio drops the connection on anything else).
bool isDecodablePath(std::string_view target) {
    std::string decoded;
    for (std::size_t i = 0; i < target.size(); ++i) {
        const auto c = static_cast<unsigned char>(target[i]);
        if (c <= 0x20 || c == 0x7f) return false;
        if (c != '%') {
            decoded.push_back(static_cast<char>(c));
            continue;
        }
        if (i + 2 >= target.size()) return false;
        const int hi = hexValue(target[i + 1]), lo = hexValue(target[i + 2]);
        if (hi < 0 || lo < 0) return false;
        const auto byte = static_cast<unsigned char>(hi * 16 + lo);
        if (byte < 0x20 || byte == 0x7f) return false;
        decoded.push_back(static_cast<char>(byte));
        i += 2;
    }
    return isUtf8(decoded);
}

HeadRefusal refuse(int status, std::string detail) { return {status, std::move(detail)}; }

}  // namespace

void HttpHeadCheck::startRequest() {
    state_ = State::RequestLine;
    fields_ = 0;
    contentLength_.reset();
    chunked_ = false;
}

std::optional<HeadRefusal> HttpHeadCheck::feed(const char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        switch (state_) {
            case State::PassThrough: return std::nullopt;
            case State::Body: {
                const auto skip = std::min<std::uint64_t>(bodyLeft_, size - i);
                bodyLeft_ -= skip;
                i += static_cast<std::size_t>(skip) - 1;
                if (bodyLeft_ == 0) startRequest();
                break;
            }
            case State::RequestLine:
            case State::Fields: {
                const char c = data[i];
                if (c == '\n') {
                    if (auto refused = endOfLine()) return refused;
                    break;
                }
                line_.push_back(c);
                if (state_ == State::RequestLine && line_.size() > MAX_REQUEST_LINE) {
                    const bool hasTarget = line_.find(' ') != std::string::npos;
                    return hasTarget ? refuse(414, "the request target is above " + std::to_string(MAX_URL_BYTES) + " bytes")
                                     : refuse(400, "the request line is not HTTP");
                }
                if (state_ == State::Fields && line_.size() > MAX_FIELD_LINE)
                    return refuse(431, "a header field is above " + std::to_string(MAX_FIELD_VALUE_BYTES) + " bytes");
                break;
            }
        }
    }
    return std::nullopt;
}

std::optional<HeadRefusal> HttpHeadCheck::endOfLine() {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    auto result = state_ == State::RequestLine ? requestLine() : field();
    line_.clear();
    return result;
}

std::optional<HeadRefusal> HttpHeadCheck::requestLine() {
    if (line_.empty()) return std::nullopt;  // RFC 9112 §2.2: empty lines before a request are ignored
    const auto first = line_.find(' ');
    const auto last = line_.rfind(' ');
    if (first == std::string::npos || first == 0 || last == first)
        return refuse(400, "the request line is not 'METHOD target HTTP/1.1'");
    const std::string_view method(line_.data(), first);
    const std::string_view target(line_.data() + first + 1, last - first - 1);
    const std::string_view version(line_.data() + last + 1, line_.size() - last - 1);
    if (!std::all_of(method.begin(), method.end(), [](char c) { return isTokenChar(static_cast<unsigned char>(c)); }))
        return refuse(400, "the request method is not a token");
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return refuse(400, "the HTTP version is not 1.0 or 1.1");
    if (target.size() > MAX_URL_BYTES)
        return refuse(414, "the request target is above " + std::to_string(MAX_URL_BYTES) + " bytes");
    if (target.empty() || !isDecodablePath(target))
        return refuse(400, "the request target has bad percent-encoding or is not UTF-8 text");
    state_ = State::Fields;
    return std::nullopt;
}

std::optional<HeadRefusal> HttpHeadCheck::field() {
    if (line_.empty()) {  // the end of the head
        if (chunked_) state_ = State::PassThrough;  // restinio reads chunked bodies itself
        else if (contentLength_ && *contentLength_ > 0) {
            state_ = State::Body;
            bodyLeft_ = *contentLength_;
        } else startRequest();
        return std::nullopt;
    }
    if (++fields_ > MAX_HEADER_FIELDS)
        return refuse(431, "more than " + std::to_string(MAX_HEADER_FIELDS) + " header fields");
    const auto colon = line_.find(':');
    if (colon == std::string::npos || colon == 0) return refuse(400, "a header field has no name");
    const std::string_view name(line_.data(), colon);
    if (name.size() > MAX_FIELD_NAME_BYTES)
        return refuse(431, "a header field name is above " + std::to_string(MAX_FIELD_NAME_BYTES) + " bytes");
    if (!std::all_of(name.begin(), name.end(), [](char c) { return isTokenChar(static_cast<unsigned char>(c)); }))
        return refuse(400, "a header field name is not a token");
    const auto value = trimOws(std::string_view(line_).substr(colon + 1));
    if (value.size() > MAX_FIELD_VALUE_BYTES)
        return refuse(431, "a header field is above " + std::to_string(MAX_FIELD_VALUE_BYTES) + " bytes");
    const auto key = asciiLower(name);
    if (key == "content-length") {
        if (value.empty() || value.size() > 19 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return refuse(400, "Content-Length is not a number");
        const auto length = std::stoull(std::string(value));
        if (contentLength_ && *contentLength_ != length) return refuse(400, "two different Content-Length values");
        contentLength_ = length;
        // why: answered now, before the body is read (or never comes).
        if (length > MAX_REQUEST_BODY_BYTES)
            return refuse(413, "the body is above " + std::to_string(MAX_REQUEST_BODY_BYTES) + " bytes");
    } else if (key == "transfer-encoding" && asciiLower(value).find("chunked") != std::string::npos) {
        chunked_ = true;
    }
    return std::nullopt;
}

}  // namespace dhtpush::proxy
