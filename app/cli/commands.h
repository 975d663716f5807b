#pragma once
// The lumina-cli sub-commands. Each command_<name>.cpp registers itself with LUMINA_CLI_COMMAND.
#include "app/cli/arguments.h"

#include <functional>
#include <string>
#include <vector>

namespace lumina::cli {

struct Command {
    std::string name;
    std::string summary;
    std::function<std::string()> usage; // full usage text for `lumina-cli help NAME` and usage errors
    std::function<int(const std::vector<std::string>&)> run;
};

std::vector<Command>& commandRegistry();

struct CommandRegistration {
    explicit CommandRegistration(Command command) { commandRegistry().push_back(std::move(command)); }
};

} // namespace lumina::cli
