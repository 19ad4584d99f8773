#pragma once
// The distributor's one logger: a line per event on stderr (the journal, under systemd),
// "dhtpush-distributor: LEVEL: text". Never given a secret (device secrets, message bodies);
// app tokens are the app's own and stay out of it as well.
#include <string>

namespace dhtpush::device {

enum class LogLevel { Info, Warning, Error };
void logLine(LogLevel level, const std::string& text);

}  // namespace dhtpush::device
