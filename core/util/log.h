#pragma once
// Logging facade over spdlog (kept out of public headers). Messages use fmt syntax.
#include <fmt/format.h>
#include <string>
#include <string_view>

namespace lumina::log {

enum class Level { Trace, Debug, Info, Warn, Error };

// Console sink on stderr plus a rotating file in `logDirectory` (created if missing; empty: console only).
// Safe to call once at start-up from main(); later calls replace the sinks.
void initialize(const std::string& appName, const std::string& logDirectory, Level consoleLevel);
void setConsoleLevel(Level level);
void write(Level level, std::string_view message);
// Path of the current log file, empty when logging to the console only.
std::string logFilePath();

template <typename... Args> void debug(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void info(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void warn(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void error(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace lumina::log
