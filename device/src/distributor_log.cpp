#include "distributor_log.h"

#include <iostream>
#include <mutex>

namespace dhtpush::device {

void logLine(LogLevel level, const std::string& text) {
    static std::mutex mutex;
    const char* name = level == LogLevel::Info ? "info" : level == LogLevel::Warning ? "warning" : "error";
    std::lock_guard<std::mutex> lock(mutex);
    std::cerr << "dhtpush-distributor: " << name << ": " << text << std::endl;
}

}  // namespace dhtpush::device
