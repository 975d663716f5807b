#pragma once
// A one-line progress display on stderr (loading bytes, then step / it/s / ETA); silent when quiet or when
// stderr is not a terminal (then one line per tenth reached is printed instead, so logs stay readable).
#include "core/engine/generation_engine.h"

#include <cstdint>
#include <string>

namespace lumina::cli {

// Bytes for people: B, KB, MB or GB with the digits that matter.
std::string byteSize(uint64_t bytes);

class ProgressBar {
public:
    explicit ProgressBar(bool quiet);
    void loading(uint64_t done, uint64_t total);
    void step(const pipeline::StepProgress& progress);
    // A download: bytes so far of the total, the recent rate, the time left (< 0: unknown) and what is
    // active.
    void transfer(uint64_t done, uint64_t total, double bytesPerSecond, double etaSeconds,
                  const std::string& current);
    void finishLine();

private:
    void draw(double fraction, const char* text);
    bool m_quiet;
    bool m_tty;
    bool m_open = false;
    int m_lastDecile = -1;
};

} // namespace lumina::cli
