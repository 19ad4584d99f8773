#pragma once
// The one logger of a dhtpush process: leveled, one event per line on stderr, where journald
// (or a terminal) takes it. Under systemd (JOURNAL_STREAM set) each line starts with its
// syslog priority, `<4>` for a warning, which journald reads as the entry's level and removes;
// elsewhere a line is `2026-12-06T21:07:30.123 warning <text>`. Never null: made on first use,
// before any option is read. spdlog (Debian's, on the fmt the project already links) does the
// formatting and the thread safety.
//
// What goes in a line is the caller's care: never a token, secret, key or message body.
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "dhtpush/expected.h"

namespace dhtpush::log {

using Level = spdlog::level::level_enum;

spdlog::logger& get();

// A line for an event of `kind` (a fixed text), sampled so that a flood is not a flood of
// lines: at most one per kind every 10 s, with how many there were since the last one and the
// last one's detail (which never carries a secret). Thread-safe.
void sampled(Level level, const std::string& kind, std::string_view detail);

// "trace", "debug", "info", "warning" (or "warn"), "error", "off".
Expected<Level> parseLevel(std::string_view name);
void setLevel(Level level);

template <typename... Args>
void debug(spdlog::format_string_t<Args...> format, Args&&... args) {
    get().debug(format, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> format, Args&&... args) {
    get().info(format, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> format, Args&&... args) {
    get().warn(format, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> format, Args&&... args) {
    get().error(format, std::forward<Args>(args)...);
}

}  // namespace dhtpush::log
