#pragma once
// `lumina-cli bench --component NAME ...`: each bench_<name>.cpp registers one component benchmark.
// Every benchmark prints one JSON object with at least seconds_per_step, peak_memory_bytes, device, dtype.
#include "app/cli/arguments.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace lumina::cli {

struct BenchComponent {
    std::string name;                   // value of --component
    std::set<std::string> valueOptions; // options it accepts besides --component
    std::set<std::string> flagOptions;
    std::string usage;
    std::function<nlohmann::json(const Arguments&)> run; // returns the result object
};

std::vector<BenchComponent>& benchRegistry();

struct BenchRegistration {
    explicit BenchRegistration(BenchComponent c) { benchRegistry().push_back(std::move(c)); }
};

} // namespace lumina::cli
