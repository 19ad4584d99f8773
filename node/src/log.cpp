#include "dhtpush/node/log.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <memory>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace dhtpush::log {
namespace {

// `%*`: the line's syslog priority as journald reads it from a service's stderr (sd-daemon.h).
class SyslogPriority : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
        static constexpr char priorities[] = {'7', '7', '6', '4', '3', '2', '6'};  // by spdlog level
        const auto index = static_cast<std::size_t>(message.level);
        const char line[] = {'<', index < sizeof priorities ? priorities[index] : '6', '>'};
        out.append(line, line + sizeof line);
    }
    std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
        return std::make_unique<SyslogPriority>();
    }
};

std::shared_ptr<spdlog::logger> make() {
    auto logger = std::make_shared<spdlog::logger>("dhtpush", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (std::getenv("JOURNAL_STREAM")) {
        formatter->add_flag<SyslogPriority>('*').set_pattern("%*%v");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
    }
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::info);
    // Each line is whole when written: a crash right after an error still shows the error.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    return logger;
}

}  // namespace

spdlog::logger& get() {
    static const auto logger = make();
    return *logger;
}

Expected<Level> parseLevel(std::string_view name) {
    if (name == "trace") return Level::trace;
    if (name == "debug") return Level::debug;
    if (name == "info") return Level::info;
    if (name == "warning" || name == "warn") return Level::warn;
    if (name == "error") return Level::err;
    if (name == "off") return Level::off;
    return makeError(Errc::Invalid, "unknown log level '" + std::string(name) +
                                        "' (trace, debug, info, warning, error, off)");
}

void setLevel(Level level) { get().set_level(level); }

void sampled(Level level, const std::string& kind, std::string_view detail) {
    struct Report {
        std::uint64_t unreported{0};
        std::chrono::steady_clock::time_point last{};
    };
    static std::mutex mutex;
    static std::map<std::string, Report> reports;  // by kind: a handful of fixed texts
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex);
    auto& r = reports[kind];
    ++r.unreported;
    if (r.last != std::chrono::steady_clock::time_point{} && now - r.last < std::chrono::seconds(10)) return;
    get().log(level, "{} x{} since the last report; the last: {}", kind, r.unreported, detail);
    r.unreported = 0;
    r.last = now;
}

}  // namespace dhtpush::log
