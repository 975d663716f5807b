#pragma once
// How much memory the machine can still give this process without swapping or the OOM killer.
#include <cstdint>
#include <optional>

namespace lumina {

// Linux: MemAvailable from /proc/meminfo (free memory plus reclaimable caches). Elsewhere: free physical
// pages (an underestimate). nullopt when neither can be read.
std::optional<uint64_t> availableSystemMemory();

} // namespace lumina
