#include "dhtpush/expected.h"

namespace dhtpush {

const char* errcName(Errc code) {
    switch (code) {
        case Errc::Malformed: return "malformed";
        case Errc::Invalid: return "invalid";
        case Errc::TooLarge: return "too-large";
        case Errc::UnsupportedEncoding: return "unsupported-encoding";
        case Errc::Unauthorized: return "unauthorized";
        case Errc::Forbidden: return "forbidden";
        case Errc::NotFound: return "not-found";
        case Errc::Conflict: return "conflict";
        case Errc::QuotaExceeded: return "quota-exceeded";
        case Errc::StorageFull: return "storage-full";
        case Errc::Unavailable: return "unavailable";
        case Errc::Internal: return "internal";
    }
    return "internal";
}

}  // namespace dhtpush
