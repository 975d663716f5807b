#include "app/cli/bench_memory.h"

#include <algorithm>
#include <c10/core/CachingDeviceAllocator.h>
#include <fstream>

namespace lumina::cli {

int64_t procStatusBytes(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size())) * 1024;
    return 0;
}

namespace {
c10::DeviceIndex indexOf(c10::Device device) {
    return device.has_index() ? device.index() : c10::DeviceIndex{0};
}
} // namespace

PeakMemoryProbe::PeakMemoryProbe(c10::Device device)
    : m_device(device) {
    if (device.is_cuda()) {
        auto* allocator = c10::getDeviceAllocator(c10::kCUDA);
        allocator->resetPeakStats(indexOf(device));
        m_baseline = allocator->getDeviceStats(indexOf(device)).allocated_bytes[0].current;
    } else {
        std::ofstream("/proc/self/clear_refs") << "5";
        m_baseline = procStatusBytes("VmRSS:");
    }
}

int64_t PeakMemoryProbe::peakBytes() const {
    if (m_device.is_cuda())
        return c10::getDeviceAllocator(c10::kCUDA)
                   ->getDeviceStats(indexOf(m_device))
                   .allocated_bytes[0]
                   .peak -
               m_baseline;
    return std::max<int64_t>(0, procStatusBytes("VmHWM:") - m_baseline);
}

int64_t PeakMemoryProbe::totalPeakBytes() const {
    if (m_device.is_cuda())
        return c10::getDeviceAllocator(c10::kCUDA)->getDeviceStats(indexOf(m_device)).allocated_bytes[0].peak;
    return procStatusBytes("VmHWM:");
}

std::string PeakMemoryProbe::kind() const {
    return m_device.is_cuda() ? "cuda_max_allocated_growth" : "rss_growth";
}

} // namespace lumina::cli
