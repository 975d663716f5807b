#include "app/cli/commands.h"

namespace lumina::cli {

std::vector<Command>& commandRegistry() {
    static std::vector<Command> commands;
    return commands;
}

} // namespace lumina::cli
