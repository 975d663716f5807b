#pragma once
// Wall-clock bounds in tests. They are enforced only in the `timing` ctest label (LUMINA_TIMING_CHECKS=1):
// the same test binaries run again, one at a time (RUN_SERIAL), outside the parallel run and never in a
// sanitizer build, with every bound scaled by a baseline measured on the machine at that moment. In the
// ordinary parallel run the behaviour around a bound is still checked and the time is only logged, so a
// loaded machine cannot make the suite flaky. docs/testing.md describes the labels.
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace lumina::test {

inline bool timingChecksEnabled() {
    return qEnvironmentVariableIntValue("LUMINA_TIMING_CHECKS") == 1;
}

// How much slower this machine is right now than the reference machine class (2 cores, as in CI) on a
// fixed single-threaded job of integer mixing and memory traffic; never below 1. The job takes about 23 ms
// (Release build) there; the fastest of five runs is kept so that one descheduling does not count.
inline double machineSlowdown() {
    static const double factor = [] {
        constexpr double kReferenceMs = 23.0; // measured on the reference machine class
        std::vector<uint32_t> buffer(1 << 21);
        double best = 1e30;
        for (int run = 0; run < 5; ++run) {
            const auto t0 = std::chrono::steady_clock::now();
            uint32_t x = 2463534242u;
            for (int pass = 0; pass < 4; ++pass)
                for (auto& v : buffer) {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    v += x;
                }
            std::sort(buffer.begin(), buffer.begin() + (1 << 16));
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            best = std::min(best, ms + 0.0 * buffer[run]); // buffer read keeps the job from being elided
        }
        const double slowdown = std::max(1.0, best / kReferenceMs);
        qInfo("machine baseline: %.1f ms (reference %.1f ms): bounds scaled by %.2f", best, kReferenceMs,
              slowdown);
        return slowdown;
    }();
    return factor;
}

// True when `elapsedMs` is within `boundMs` scaled for the machine; always true outside the timing label.
inline bool withinBound(double elapsedMs, double boundMs, const char* what) {
    if (!timingChecksEnabled()) {
        qInfo("%s: %.1f ms (bound %.0f ms, checked in the timing label)", what, elapsedMs, boundMs);
        return true;
    }
    const double scaled = boundMs * machineSlowdown();
    qInfo("%s: %.1f ms, bound %.0f ms (%.0f ms unscaled)", what, elapsedMs, scaled, boundMs);
    return elapsedMs <= scaled;
}

} // namespace lumina::test

// QVERIFY that a duration in milliseconds is within its (machine-scaled) bound, in the timing label only.
#define LUMINA_VERIFY_WITHIN_MS(elapsedMs, boundMs, what)                                                    \
    QVERIFY2(::lumina::test::withinBound(double(elapsedMs), double(boundMs), what),                          \
             qPrintable(QString("%1 took %2 ms, over its bound of %3 ms x machine factor %4")                \
                            .arg(what)                                                                       \
                            .arg(double(elapsedMs))                                                          \
                            .arg(double(boundMs))                                                            \
                            .arg(::lumina::test::machineSlowdown())))
