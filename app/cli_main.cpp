// lumina-cli: headless front end of the core (info, tokenize, bench, generate, ...).
#include "app/cli/commands.h"
#include "core/util/app_paths.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/util/version.h"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>

using namespace lumina;

namespace {

void printHelp() {
    std::string text = "usage: lumina-cli [--version] [--verbose] COMMAND [OPTIONS]\n\ncommands:\n";
    auto commands = cli::commandRegistry();
    std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.name < b.name; });
    for (const auto& c : commands)
        text += fmt::format("  {:<10} {}\n", c.name, c.summary);
    text += "\n`lumina-cli help COMMAND` shows a command's options.\n";
    std::fputs(text.c_str(), stdout);
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool verbose = false;
    while (!args.empty() && args.front().rfind("--", 0) == 0) {
        if (args.front() == "--version") {
            std::fputs(versionReport("lumina-cli").c_str(), stdout);
            return cli::kExitOk;
        }
        if (args.front() == "--help" || args.front() == "-h") {
            printHelp();
            return cli::kExitOk;
        }
        if (args.front() == "--verbose") {
            verbose = true;
            args.erase(args.begin());
            continue;
        }
        std::fprintf(stderr, "lumina-cli: unknown option '%s' (try --help)\n", args.front().c_str());
        return cli::kExitUsage;
    }
    if (args.empty()) {
        printHelp();
        return cli::kExitUsage;
    }
    const std::string name = args.front();
    args.erase(args.begin());
    const auto& commands = cli::commandRegistry();
    if (name == "help") {
        if (args.empty()) {
            printHelp();
            return cli::kExitOk;
        }
        for (const auto& c : commands)
            if (c.name == args.front()) {
                std::fputs(c.usage().c_str(), stdout);
                return cli::kExitOk;
            }
        std::fprintf(stderr, "lumina-cli: unknown command '%s'\n", args.front().c_str());
        return cli::kExitUsage;
    }
    auto it = std::find_if(commands.begin(), commands.end(), [&](const auto& c) { return c.name == name; });
    if (it == commands.end()) {
        std::fprintf(stderr, "lumina-cli: unknown command '%s' (try --help)\n", name.c_str());
        return cli::kExitUsage;
    }
    log::initialize("lumina-cli", logDirectory().string(), verbose ? log::Level::Debug : log::Level::Warn);
    try {
        return it->run(args);
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "lumina-cli %s: %s\n%s", name.c_str(), e.what(), it->usage().c_str());
        return cli::kExitUsage;
    } catch (const InvalidRequest& e) {
        std::fprintf(stderr, "lumina-cli %s: %s\n", name.c_str(), e.what());
        return cli::kExitUsage;
    } catch (const Cancelled&) {
        std::fprintf(stderr, "lumina-cli %s: cancelled\n", name.c_str());
        return cli::kExitCancelled;
    } catch (const OutOfMemory& e) {
        std::fprintf(stderr, "lumina-cli %s: out of memory: %s\n", name.c_str(), e.what());
        return cli::kExitOutOfMemory;
    } catch (const NetworkError& e) {
        std::fprintf(stderr, "lumina-cli %s: %s\n", name.c_str(), e.what());
        return cli::kExitNetwork;
    } catch (const Error& e) {
        std::fprintf(stderr, "lumina-cli %s: %s\n", name.c_str(), e.what());
        return cli::kExitModel;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lumina-cli %s: unexpected error: %s\n", name.c_str(), e.what());
        return cli::kExitModel;
    }
}
