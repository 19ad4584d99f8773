#pragma once
// The one table from Errc to HTTP status, and the RFC 9457 problem body.
#include <string>

#include "dhtpush/expected.h"

namespace dhtpush::proxy {

int httpStatusFor(Errc code);
const char* reasonPhrase(int status);
// {"type": "...", "title": "...", "status": N, "detail": "..."}
std::string problemJson(int status, const Error& error);

}  // namespace dhtpush::proxy
