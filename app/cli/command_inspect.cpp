// lumina-cli inspect IMAGE [--json]: the generation settings embedded in an image, whoever wrote it (ours in
// any format we write, AUTOMATIC1111, ComfyUI, SwarmUI; core/image/settings_readback.h). Prints the
// recognized source, the settings restored under the request's JSON keys, what the source says that has no
// counterpart here, and any malformed piece. Exit 0 when the file was read (also when it carries no settings:
// source "none"), 2 for bad arguments or a missing file, 3 when the file cannot be read.
#include "app/cli/commands.h"
#include "core/image/settings_readback.h"
#include "core/util/errors.h"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lumina::cli {
namespace {

std::string usage() {
    return "usage: lumina-cli inspect IMAGE [--json]\n"
           "Reads the generation settings embedded in IMAGE (PNG, TIFF, EXR, JPEG, WebP; written by Lumina "
           "Studio,\n"
           "AUTOMATIC1111, ComfyUI or SwarmUI) and prints the source, the restored settings, what has no "
           "counterpart\n"
           "here and any malformed piece.\n"
           "  --json  print one JSON object {\"file\", \"source\", \"settings\", \"unmapped\", "
           "\"problems\"}\n"
           "Exit status: 0 read (source \"none\" when the image carries no settings), 2 bad arguments or no "
           "such file,\n"
           "3 the file cannot be read.\n";
}

std::string describeSource(const std::string& source) {
    if (source == "lumina") return "Lumina Studio";
    if (source == "a1111") return "AUTOMATIC1111 (parameters text)";
    if (source == "comfyui") return "ComfyUI (workflow graph)";
    if (source == "swarmui") return "SwarmUI (sui_image_params)";
    return "none (no generation settings found)";
}

int run(const std::vector<std::string>& args) {
    std::vector<std::string> options, images;
    for (const auto& arg : args)
        (arg.rfind("--", 0) == 0 ? options : images).push_back(arg);
    Arguments a(options, {}, {"json"});
    if (images.size() != 1)
        throw UsageError(images.empty() ? "inspect needs one IMAGE file"
                                        : fmt::format("inspect takes one IMAGE file, got {}", images.size()));
    const std::filesystem::path file = images.front();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw InvalidRequest(fmt::format("'{}' does not exist or is not a file", file.string()));
    const auto readback = image::readSettingsFromImage(file);

    if (a.flag("json")) {
        const nlohmann::json j{{"file", std::filesystem::absolute(file).string()},
                               {"source", readback.source},
                               {"settings", readback.settings},
                               {"unmapped", readback.unmapped},
                               {"problems", readback.problems}};
        std::printf("%s\n", j.dump().c_str());
        return kExitOk;
    }
    std::printf("file:     %s\nsource:   %s\n", file.string().c_str(),
                describeSource(readback.source).c_str());
    if (!readback.settings.empty()) {
        std::printf("settings:\n");
        for (const auto& [key, value] : readback.settings.items())
            std::printf("  %-24s %s\n", key.c_str(),
                        value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str());
    }
    if (!readback.unmapped.empty()) {
        std::printf("not used here:\n");
        for (const auto& line : readback.unmapped)
            std::printf("  %s\n", line.c_str());
    }
    if (!readback.problems.empty()) {
        std::printf("problems:\n");
        for (const auto& line : readback.problems)
            std::printf("  %s\n", line.c_str());
    }
    return kExitOk;
}

const CommandRegistration registration{
    {"inspect", "print the generation settings embedded in an image (ours, A1111, ComfyUI, SwarmUI)", usage,
     run}};

} // namespace
} // namespace lumina::cli
