#pragma once
// Downloads a diffusers pipeline from the Hub into the shared Hugging Face cache (docs/hub.md): resolve the
// revision, read model_index.json, pick the files the pipeline needs, reuse what the cache holds, fetch the
// rest over several connections (large files in parallel ranged parts), verify every file's hash before it
// becomes a blob, link the snapshot. Cancel at any moment keeps what was fetched for the next run.
#include "core/hub/hub_config.h"
#include "core/hub/remote_repo.h"
#include "core/util/cancel_token.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lumina::hub {

struct PlannedFile {
    RemoteFile remote;
    bool cached = false;    // the blob is already in the cache
    uint64_t resumable = 0; // bytes an earlier, interrupted download left
};

struct DownloadPlan {
    RepoRevision repo;
    std::vector<PlannedFile> files;
    std::filesystem::path cacheDir;
    std::filesystem::path snapshotDir;
    uint64_t totalBytes = 0;  // everything the pipeline needs
    uint64_t cachedBytes = 0; // already in the cache as blobs
    uint64_t resumableBytes = 0;
    uint64_t bytesToFetch() const { return totalBytes - cachedBytes - resumableBytes; }
    bool offline = false; // planned from the cache alone (HF_HUB_OFFLINE)
};

enum class FileState { Queued, Cached, Downloading, Verifying, Done };

struct FileProgress {
    std::string path;
    uint64_t size = 0;
    uint64_t done = 0;
    FileState state = FileState::Queued;
};

struct DownloadProgress {
    uint64_t totalBytes = 0;   // the whole pipeline
    uint64_t doneBytes = 0;    // in the cache or written so far
    uint64_t fetchedBytes = 0; // received in this run
    double bytesPerSecond = 0; // recent rate
    double etaSeconds = -1;    // -1: unknown
    int filesDone = 0;
    int filesTotal = 0;
    std::vector<FileProgress> files;
};

struct DownloadResult {
    std::filesystem::path snapshotDir;
    std::string commit;
    uint64_t fetchedBytes = 0;
    uint64_t reusedBytes = 0;
    int verifyRefetches = 0;
};

class HubDownloader {
public:
    HubDownloader(HubConfig config, const CancelToken* cancel);

    // Resolves the revision and chooses the files (fetching model_index.json itself into the cache). In
    // offline mode the plan comes from the cache and fails with NetworkError when the snapshot is incomplete.
    // `onlyFiles`: exactly these repository paths instead of a pipeline (single-file checkpoints such as
    // Comfy-Org's Lumina-Image 2.0 repackaging, which has no model_index.json); RepoError names a path the
    // revision lacks.
    DownloadPlan plan(const std::string& repoId, const std::string& revision,
                      const std::vector<std::string>& onlyFiles = {});

    // Checks free space, fetches and verifies what the plan lacks and links the snapshot. `onProgress` is
    // called from this thread a few times a second. Throws Cancelled, NetworkError, RepoError,
    // VerificationError, DiskSpaceError; partial files stay for the next run.
    DownloadResult download(const DownloadPlan& plan,
                            const std::function<void(const DownloadProgress&)>& onProgress);

    const HubConfig& config() const { return m_config; }

private:
    DownloadPlan planOffline(const std::string& repoId, const std::string& revision,
                             const std::vector<std::string>& onlyFiles);
    // The plan for these paths of the revision (sizes, hashes, what the cache holds, what can resume).
    DownloadPlan planPaths(const HttpClient& http, RepoRevision repo, const std::vector<std::string>& paths,
                           const std::optional<RemoteFile>& index);
    // Fetches the given files into blobs/ and links them; the core of download().
    uint64_t fetchFiles(const RepoRevision& repo, const std::vector<PlannedFile>& files,
                        const std::function<void(const DownloadProgress&)>& onProgress, int* refetches);

    HubConfig m_config;
    const CancelToken* m_cancel;
};

// Free space where `folder` (or its nearest existing parent) lives; throws DiskSpaceError naming the
// folder, what is needed and what is available when `needed` (plus a margin) does not fit.
void checkFreeSpace(const std::filesystem::path& folder, uint64_t needed);

// "1.4 GB", "512 KB": decimal units, as the Hub shows sizes.
std::string formatBytes(uint64_t bytes);

} // namespace lumina::hub
