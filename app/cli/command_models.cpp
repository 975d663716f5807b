// lumina-cli models [--cache DIR] [--json]: the Lumina pipelines in the Hugging Face cache, one per snapshot:
// repo, revision (the refs pointing at it), commit, size on disk, complete or not (and what is missing).
#include "app/cli/commands.h"
#include "core/hub/downloader.h"
#include "core/hub/hub_cache.h"
#include "core/io/checkpoint_locator.h"
#include "core/util/app_paths.h"
#include "core/vocabulary/pipeline_classes.h"

#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace lumina::cli {
namespace {

std::string usage() {
    return "usage: lumina-cli models [--cache DIR] [--verify] [--json]\n"
           "Lists the Lumina pipelines in the Hugging Face cache: repo, revision, commit, size on disk, and "
           "whether\n"
           "every file the pipeline needs is there (an interrupted download shows as incomplete; finish it "
           "with\n"
           "`lumina-cli download REPO_ID`).\n"
           "  --cache DIR  the hub cache folder (default $HF_HUB_CACHE, else $HF_HOME/hub)\n"
           "  --verify     re-hash every file against the hash its blob is named by; a damaged file makes\n"
           "               the snapshot incomplete (listed under \"corrupt\")\n"
           "  --json       print one JSON object {\"cache_dir\", \"models\": [{\"repo_id\", \"revision\", "
           "\"refs\",\n"
           "               \"commit\", \"size_on_disk\", \"complete\", \"missing\", \"path\", "
           "\"pipeline_class\"}]}\n"
           "Exit status: 0 (also when none is found), 2 bad arguments.\n";
}

int runModels(const std::vector<std::string>& args) {
    const Arguments parsed(args, {"cache"}, {"json", "verify"});
    const std::filesystem::path cacheDir = parsed.valueOr("cache", lumina::huggingFaceHubCache().string());
    auto found = hub::scanPipelines(cacheDir, luminaPipelineClasses());
    std::vector<std::vector<std::string>> corrupt(found.size());
    if (parsed.flag("verify"))
        for (std::size_t i = 0; i < found.size(); ++i) {
            corrupt[i] = hub::verifySnapshot(found[i].path, nullptr);
            for (const auto& c : corrupt[i])
                found[i].missing.push_back(c + ": content does not match its hash");
            if (!corrupt[i].empty()) found[i].complete = false;
        }
    if (parsed.flag("json")) {
        nlohmann::json models = nlohmann::json::array();
        for (std::size_t i = 0; i < found.size(); ++i) {
            const auto& s = found[i];
            nlohmann::json m{{"repo_id", s.repoId},
                             {"revision", s.refs.empty() ? s.commit : s.refs.front()},
                             {"refs", s.refs},
                             {"commit", s.commit},
                             {"size_on_disk", s.sizeOnDisk},
                             {"complete", s.complete},
                             {"missing", s.missing},
                             {"path", s.path.string()},
                             {"pipeline_class", s.pipelineClass}};
            if (parsed.flag("verify")) m["corrupt"] = corrupt[i];
            models.push_back(m);
        }
        const nlohmann::json j{{"cache_dir", cacheDir.string()}, {"models", models}};
        std::printf("%s\n", j.dump(2).c_str());
        return kExitOk;
    }
    if (found.empty()) {
        std::printf("no Lumina pipeline in %s (get one with `lumina-cli download "
                    "Alpha-VLLM/Lumina-Next-SFT-diffusers`)\n",
                    cacheDir.string().c_str());
        return kExitOk;
    }
    std::printf("%-44s %-10s %-12s %10s  %s\n", "REPO", "REVISION", "COMMIT", "SIZE", "STATE");
    for (const auto& s : found) {
        const std::string state =
            s.complete ? "complete" : fmt::format("incomplete (missing: {})", fmt::join(s.missing, ", "));
        std::printf("%-44s %-10s %-12s %10s  %s\n", s.repoId.c_str(),
                    (s.refs.empty() ? std::string("-") : fmt::format("{}", fmt::join(s.refs, ","))).c_str(),
                    s.commit.substr(0, 12).c_str(), hub::formatBytes(s.sizeOnDisk).c_str(), state.c_str());
    }
    return kExitOk;
}

const CommandRegistration registration{
    {"models", "list the Lumina pipelines in the Hugging Face cache (complete or not)", usage, runModels}};

} // namespace
} // namespace lumina::cli
