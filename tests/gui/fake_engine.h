#pragma once
// The GUI tests' engine: the DemoEngine of lumina_ui (simulated steps with short sleeps, procedural previews,
// the cancel token checked before every simulated model evaluation, configurable failures).
#include "ui/demo_engine.h"

#include <memory>

namespace lumina::test {

using FakeEngine = ui::DemoEngine;
using FakeEngineOptions = ui::DemoEngineOptions;

inline std::unique_ptr<FakeEngine> makeFakeEngine(int evaluationMs, FakeEngineOptions options = {}) {
    options.evaluationMs = evaluationMs;
    options.loadChunkMs = 1;
    return std::make_unique<FakeEngine>(options);
}

} // namespace lumina::test
