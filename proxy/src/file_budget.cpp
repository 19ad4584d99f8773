#include "file_budget.h"

#include <algorithm>

namespace dhtpush::proxy {

std::size_t connectionsThatFit(std::uint64_t fileLimit, std::size_t listeners, std::size_t wanted) {
    if (listeners == 0) return wanted;
    const auto usable = fileLimit > RESERVED_FILES ? fileLimit - RESERVED_FILES : 0;
    const auto perListener = static_cast<std::size_t>(std::min<std::uint64_t>(usable / listeners, wanted));
    return std::max<std::size_t>(1, perListener);
}

}  // namespace dhtpush::proxy
