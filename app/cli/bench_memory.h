#pragma once
// Peak memory of a benchmark's timed section, measured the same way by every component benchmark:
// CUDA: growth of the caching allocator's peak allocated bytes; CPU: growth of the process's peak resident
// set (VmHWM, whose mark is reset through /proc/self/clear_refs on Linux).
#include <c10/core/Device.h>
#include <cstdint>
#include <string>

namespace lumina::cli {

class PeakMemoryProbe {
public:
    // Resets the peak marks and records the baseline; construct it right before the timed section.
    explicit PeakMemoryProbe(c10::Device device);
    int64_t peakBytes() const;
    // CUDA: the allocator's absolute peak, weights and everything allocated before included; CPU: peak RSS.
    int64_t totalPeakBytes() const;
    // "cuda_max_allocated_growth" or "rss_growth" (reported next to peak_memory_bytes).
    std::string kind() const;

private:
    c10::Device m_device;
    int64_t m_baseline = 0;
};

// Bytes of a "VmRSS:" / "VmHWM:" line of /proc/self/status; 0 where unavailable.
int64_t procStatusBytes(const std::string& key);

} // namespace lumina::cli
