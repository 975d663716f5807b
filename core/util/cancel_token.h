#pragma once
// A cancellation flag shared between the thread that owns a run and the thread that executes it.
// The run checks it before every model evaluation and before decoding (docs/architecture.md, Threads).
#include <atomic>

namespace lumina {

enum class CancelMode { None = 0, StopNow = 1, StopKeepDraft = 2 };

class CancelToken {
public:
    void request(CancelMode mode) { m_mode.store(static_cast<int>(mode), std::memory_order_release); }
    void reset() { m_mode.store(0, std::memory_order_release); }
    CancelMode mode() const { return static_cast<CancelMode>(m_mode.load(std::memory_order_acquire)); }
    bool requested() const { return mode() != CancelMode::None; }

private:
    std::atomic<int> m_mode{0};
};

} // namespace lumina
