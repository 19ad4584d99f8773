#include "dhtpush/node/json.h"

#include <memory>

namespace dhtpush::node {

namespace {
// Building a reader costs more than parsing a message-sized document: one per thread, reused
// (a CharReader resets its state on every parse but is not thread-safe).
Json::CharReader& strictReader() {
    thread_local const std::unique_ptr<Json::CharReader> reader = [] {
        Json::CharReaderBuilder builder;
        Json::CharReaderBuilder::strictMode(&builder.settings_);
        builder.settings_["stackLimit"] = 16;
        return std::unique_ptr<Json::CharReader>(builder.newCharReader());
    }();
    return *reader;
}
}  // namespace

Expected<Json::Value> parseJson(std::string_view text) {
    if (text.size() > MAX_JSON_BYTES) return makeError(Errc::TooLarge, "JSON document above 64 KiB");
    auto* reader = &strictReader();
    Json::Value root;
    std::string errors;
    try {
        if (!reader->parse(text.data(), text.data() + text.size(), &root, &errors))
            return makeError(Errc::Malformed, "malformed JSON: " + errors.substr(0, 200));
    } catch (const Json::Exception& ex) {
        // jsoncpp throws, rather than reports, when the nesting passes stackLimit.
        return makeError(Errc::Malformed, std::string("malformed JSON: ") + ex.what());
    }
    return root;
}

void appendJsonString(std::string& out, std::string_view text) {
    static constexpr char HEX[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += HEX[u >> 4];
            out += HEX[u & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

std::string writeJson(const Json::Value& value) {
    Json::StreamWriterBuilder builder;
    builder["indentation"] = "";
    builder["emitUTF8"] = true;
    return Json::writeString(builder, value);
}

}  // namespace dhtpush::node
