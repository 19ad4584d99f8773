#pragma once
// Text that can be shown or stored as it is: strict UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) with no control characters, but tab and line breaks
// where `allowLineBreaks`.
#include <string_view>

namespace dhtpush::client {

bool isCleanUtf8(std::string_view text, bool allowLineBreaks);

}  // namespace dhtpush::client
