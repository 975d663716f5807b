#include "core/util/log.h"

#include <filesystem>
#include <mutex>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace lumina::log {
namespace {

std::mutex g_mutex;
std::shared_ptr<spdlog::logger> g_logger;
std::shared_ptr<spdlog::sinks::sink> g_console;
std::string g_file;

spdlog::level::level_enum toSpd(Level level) {
    switch (level) {
    case Level::Trace:
        return spdlog::level::trace;
    case Level::Debug:
        return spdlog::level::debug;
    case Level::Info:
        return spdlog::level::info;
    case Level::Warn:
        return spdlog::level::warn;
    case Level::Error:
        return spdlog::level::err;
    }
    return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> logger() {
    std::lock_guard lock(g_mutex);
    if (!g_logger) {
        g_console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        g_console->set_level(spdlog::level::warn);
        g_logger = std::make_shared<spdlog::logger>("lumina", g_console);
        g_logger->set_level(spdlog::level::trace);
    }
    return g_logger;
}

} // namespace

void initialize(const std::string& appName, const std::string& logDirectory, Level consoleLevel) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(toSpd(consoleLevel));
    console->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    std::vector<spdlog::sink_ptr> sinks{console};
    std::string file;
    if (!logDirectory.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(logDirectory, ec);
        file = (std::filesystem::path(logDirectory) / (appName + ".log")).string();
        try {
            auto rotating = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file, 5 * 1024 * 1024, 3);
            rotating->set_level(spdlog::level::debug);
            rotating->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%t] [%l] %v");
            sinks.push_back(rotating);
        } catch (const spdlog::spdlog_ex&) {
            file.clear(); // an unwritable log folder must not stop the program
        }
    }
    auto created = std::make_shared<spdlog::logger>(appName, sinks.begin(), sinks.end());
    created->set_level(spdlog::level::trace);
    created->flush_on(spdlog::level::warn);
    std::lock_guard lock(g_mutex);
    g_logger = created;
    g_console = console;
    g_file = file;
}

void setConsoleLevel(Level level) {
    logger();
    std::lock_guard lock(g_mutex);
    g_console->set_level(toSpd(level));
}

void write(Level level, std::string_view message) {
    logger()->log(toSpd(level), "{}", message);
}

std::string logFilePath() {
    std::lock_guard lock(g_mutex);
    return g_file;
}

} // namespace lumina::log
