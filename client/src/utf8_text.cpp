#include "dhtpush/client/utf8_text.h"

#include <cstdint>

namespace dhtpush::client {

bool isCleanUtf8(std::string_view text, bool allowLineBreaks) {
    std::size_t i = 0;
    while (i < text.size()) {
        const std::uint32_t c = static_cast<unsigned char>(text[i]);
        std::size_t extra;
        std::uint32_t codePoint;
        if (c < 0x80) {
            const bool lineBreak = c == '\n' || c == '\t' || c == '\r';
            if ((c < 0x20 && !(allowLineBreaks && lineBreak)) || c == 0x7f) return false;
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            codePoint = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            codePoint = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            codePoint = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= text.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= extra; ++k) {
            const std::uint32_t next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80) return false;
            codePoint = (codePoint << 6) | (next & 0x3f);
        }
        static constexpr std::uint32_t MIN_FOR_LENGTH[] = {0, 0x80, 0x800, 0x10000};
        if (codePoint < MIN_FOR_LENGTH[extra] || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))
            return false;
        i += extra + 1;
    }
    return true;
}

}  // namespace dhtpush::client
