#include "app/cli/progress_bar.h"

#include <cstdio>
#include <fmt/format.h>
#include <string>
#include <unistd.h>

namespace lumina::cli {

ProgressBar::ProgressBar(bool quiet)
    : m_quiet(quiet)
    , m_tty(::isatty(STDERR_FILENO) != 0) {}

// "512 B", "3.4 KB", "12.5 MB", "4.82 GB": small test models must not read as 0.00 GB.
std::string byteSize(uint64_t bytes) {
    const double b = static_cast<double>(bytes);
    if (b >= 1e9) return fmt::format("{:.2f} GB", b / 1e9);
    if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
    if (b >= 1e3) return fmt::format("{:.1f} KB", b / 1e3);
    return fmt::format("{} B", bytes);
}

void ProgressBar::draw(double fraction, const char* text) {
    if (m_quiet) return;
    const int decile = static_cast<int>(fraction * 10);
    if (!m_tty) {
        // A log, not a display: one line per tenth reached, never twice for the same tenth or backwards.
        if (decile <= m_lastDecile) return;
        m_lastDecile = decile;
        std::fprintf(stderr, "%s\n", text);
        return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r[%s] %s\033[K", bar.c_str(), text);
    std::fflush(stderr);
    m_open = true;
}

void ProgressBar::loading(uint64_t done, uint64_t total) {
    const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    draw(f, fmt::format("loading model {} / {}", byteSize(done), byteSize(total)).c_str());
}

void ProgressBar::step(const pipeline::StepProgress& p) {
    const double f = p.totalSteps ? static_cast<double>(p.step) / p.totalSteps : 1.0;
    const double itPerS = p.elapsedMs > 0 ? p.step * 1000.0 / p.elapsedMs : 0.0;
    draw(f,
         fmt::format("step {}/{}  {:.2f} it/s  ETA {:.0f} s", p.step, p.totalSteps, itPerS, p.etaMs / 1000.0)
             .c_str());
}

void ProgressBar::transfer(uint64_t done, uint64_t total, double bytesPerSecond, double etaSeconds,
                           const std::string& current) {
    const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const std::string eta = etaSeconds < 0
                                ? std::string("--:--")
                                : fmt::format("{}:{:02d}", static_cast<long>(etaSeconds) / 60,
                                              static_cast<int>(static_cast<long>(etaSeconds) % 60));
    std::string name = current;
    if (name.size() > 40) name = "..." + name.substr(name.size() - 37);
    draw(f, fmt::format("{:.2f} / {:.2f} GB  {:.1f} MB/s  ETA {}  {}", done / 1e9, total / 1e9,
                        bytesPerSecond / 1e6, eta, name)
                .c_str());
}

void ProgressBar::finishLine() {
    if (m_open) std::fputc('\n', stderr);
    m_open = false;
    m_lastDecile = -1;
}

} // namespace lumina::cli
