// lumina-cli download REPO_ID [--file PATH]... [--revision R] [--cache DIR] [--json]: fetches the files a
// diffusers pipeline needs (or the named single files) into the Hugging Face cache (core/hub, docs/hub.md),
// resuming what an earlier run left, with a progress bar on stderr. Exit 0 done, 2 bad arguments, 3
// repository / file / verification / disk error, 5 network error after retries (or HF_HUB_OFFLINE with an
// incomplete cache), 130 cancelled (Ctrl-C; the next run continues where this one stopped).
#include "app/cli/commands.h"
#include "app/cli/progress_bar.h"
#include "core/hub/downloader.h"
#include "core/util/cancel_token.h"
#include "core/util/errors.h"

#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lumina::cli {
namespace {

CancelToken g_cancel;

extern "C" void onDownloadInterrupt(int) {
    g_cancel.request(CancelMode::StopNow);
}

std::string usage() {
    return "usage: lumina-cli download REPO_ID [--file PATH]... [--revision R] [--cache DIR] [--json]\n"
           "Downloads the files a diffusers pipeline needs (model_index.json, configs, tokenizer files and\n"
           ".safetensors weights; never .bin/.pt/.ckpt) into the Hugging Face cache that huggingface_hub "
           "and\n"
           "diffusers share. Files already there are reused; an interrupted download continues where it "
           "stopped;\n"
           "every file is verified (SHA-256) before it is stored.\n"
           "  REPO_ID         for example Alpha-VLLM/Lumina-Next-SFT-diffusers\n"
           "  --file PATH     only this file of the repository (repeatable), for single-file checkpoints, "
           "e.g.\n"
           "                  Comfy-Org/Lumina_Image_2.0_Repackaged --file all_in_one/lumina_2.safetensors;\n"
           "                  prints where each file is, for lumina-cli generate --model FILE\n"
           "  --revision R    branch, tag or commit (default main)\n"
           "  --cache DIR     the hub cache folder (default $HF_HUB_CACHE, else $HF_HOME/hub, else\n"
           "                  ~/.cache/huggingface/hub)\n"
           "  --json          print one JSON object on stdout when done (the progress bar stays on stderr)\n"
           "Environment: HF_ENDPOINT (a mirror), HF_TOKEN (or the token file of `hf auth login`), "
           "HF_HUB_OFFLINE=1.\n"
           "Exit status: 0 done, 2 bad arguments, 3 repository/file/verification/disk error, 5 network "
           "error\n"
           "after retries, 130 cancelled (run again to resume).\n";
}

void printJsonError(const std::string& repoId, const std::string& message, int exitCode) {
    const nlohmann::json j{
        {"repo_id", repoId}, {"complete", false}, {"error", message}, {"exit_code", exitCode}};
    std::printf("%s\n", j.dump(2).c_str());
}

int runDownload(const std::vector<std::string>& args) {
    if (args.empty() || args.front().rfind("--", 0) == 0) throw UsageError("REPO_ID is required");
    const std::string repoId = args.front();
    const Arguments parsed(std::vector<std::string>(args.begin() + 1, args.end()), {"revision", "cache"},
                           {"json"}, {"file"});
    const auto onlyFiles = parsed.values("file");
    const std::string revision = parsed.valueOr("revision", "main");
    const bool json = parsed.flag("json");

    hub::HubConfig config = hub::HubConfig::fromEnvironment();
    if (auto cache = parsed.value("cache")) {
        if (cache->empty()) throw UsageError("--cache needs a folder");
        config.cacheDir = *cache;
    }
    g_cancel.reset();
    std::signal(SIGINT, onDownloadInterrupt);
    std::signal(SIGTERM, onDownloadInterrupt);
    struct RestoreSignals {
        ~RestoreSignals() {
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
        }
    } restore;

    try {
        hub::HubDownloader downloader(config, &g_cancel);
        const hub::DownloadPlan plan = downloader.plan(repoId, revision, onlyFiles);
        std::fprintf(stderr, "%s: revision %s is commit %s; %zu files, %s (%s already in the cache%s)\n",
                     repoId.c_str(), revision.c_str(), plan.repo.commit.c_str(), plan.files.size(),
                     hub::formatBytes(plan.totalBytes).c_str(), hub::formatBytes(plan.cachedBytes).c_str(),
                     plan.resumableBytes
                         ? fmt::format(", {} to resume", hub::formatBytes(plan.resumableBytes)).c_str()
                         : "");
        if (plan.bytesToFetch() + plan.resumableBytes > 0)
            std::fprintf(stderr, "downloading %s into %s\n", hub::formatBytes(plan.bytesToFetch()).c_str(),
                         plan.cacheDir.string().c_str());
        ProgressBar bar(false);
        const auto result = downloader.download(plan, [&](const hub::DownloadProgress& p) {
            std::string current;
            for (const auto& f : p.files)
                if (f.state == hub::FileState::Downloading || f.state == hub::FileState::Verifying) {
                    current = f.path + (f.state == hub::FileState::Verifying ? " (verifying)" : "");
                    break;
                }
            bar.transfer(p.doneBytes, p.totalBytes, p.bytesPerSecond, p.etaSeconds, current);
        });
        bar.finishLine();
        std::vector<std::string> local;
        for (const auto& path : onlyFiles)
            local.push_back((result.snapshotDir / path).string());
        if (json) {
            nlohmann::json j{{"repo_id", repoId},
                             {"revision", revision},
                             {"commit", result.commit},
                             {"cache_dir", plan.cacheDir.string()},
                             {"snapshot_path", result.snapshotDir.string()},
                             {"files", plan.files.size()},
                             {"total_bytes", plan.totalBytes},
                             {"reused_bytes", result.reusedBytes},
                             {"fetched_bytes", result.fetchedBytes},
                             {"verify_refetches", result.verifyRefetches},
                             {"complete", true}};
            if (!onlyFiles.empty()) j["paths"] = local;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("%s: %s fetched, %s reused; snapshot %s\n", repoId.c_str(),
                        hub::formatBytes(result.fetchedBytes).c_str(),
                        hub::formatBytes(result.reusedBytes).c_str(), result.snapshotDir.string().c_str());
            for (const auto& path : local)
                std::printf("%s\n", path.c_str());
        }
        return kExitOk;
    } catch (const Cancelled&) {
        std::fputc('\n', stderr);
        std::fprintf(stderr, "lumina-cli download: cancelled; run the same command again to continue\n");
        if (json) printJsonError(repoId, "cancelled", kExitCancelled);
        return kExitCancelled;
    } catch (const InvalidRequest& e) {
        if (json) printJsonError(repoId, e.what(), kExitUsage);
        throw;
    } catch (const NetworkError& e) {
        std::fputc('\n', stderr);
        if (json) printJsonError(repoId, e.what(), kExitNetwork);
        throw;
    } catch (const Error& e) {
        std::fputc('\n', stderr);
        if (json) printJsonError(repoId, e.what(), kExitModel);
        throw;
    }
}

const CommandRegistration registration{
    {"download", "download a pipeline from the Hugging Face Hub into the shared cache (resumable, verified)",
     usage, runDownload}};

} // namespace
} // namespace lumina::cli
