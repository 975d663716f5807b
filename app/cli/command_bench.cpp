// lumina-cli bench: dispatches to the component benchmarks registered in bench_*.cpp.
#include "app/cli/bench.h"
#include "app/cli/commands.h"

#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace lumina::cli {

std::vector<BenchComponent>& benchRegistry() {
    static std::vector<BenchComponent> components;
    return components;
}

namespace {

std::string usageText() {
    std::string s =
        "usage: lumina-cli bench --component NAME [OPTIONS]\n"
        "Times one component and prints one JSON object (seconds_per_step, peak_memory_bytes, ...).\n";
    for (const auto& c : benchRegistry())
        s += "\n" + c.usage;
    return s;
}

int runBench(const std::vector<std::string>& args) {
    std::string component;
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--component")
            component = args[i + 1];
        else if (args[i].rfind("--component=", 0) == 0)
            component = args[i].substr(12);
    if (component.empty()) throw UsageError("--component is required");
    for (const auto& c : benchRegistry()) {
        if (c.name != component) continue;
        auto values = c.valueOptions;
        values.insert("component");
        Arguments parsed(args, values, c.flagOptions);
        const auto result = c.run(parsed);
        std::printf("%s\n", result.dump().c_str());
        return kExitOk;
    }
    std::vector<std::string> names;
    for (const auto& c : benchRegistry())
        names.push_back(c.name);
    throw UsageError(
        fmt::format("--component must be one of {}, not '{}'", fmt::join(names, "|"), component));
}

const CommandRegistration registration{
    {"bench", "time a component (transformer, vae, ...) and print JSON", usageText, runBench}};

} // namespace
} // namespace lumina::cli
