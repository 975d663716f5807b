#pragma once
// The Hugging Face cache layout, shared with huggingface_hub, diffusers and ComfyUI
// (huggingface_hub/file_download.py, _hf_hub_download_to_cache_dir; utils/_cache_manager.py):
//   {cache}/models--{org}--{name}/blobs/{etag}            content, named by SHA-256 (LFS) or git SHA-1
//   {cache}/models--{org}--{name}/snapshots/{commit}/{path} relative symlinks into ../blobs
//   {cache}/models--{org}--{name}/refs/{revision}          the commit a branch or tag pointed at
//   {cache}/.locks/models--{org}--{name}/{etag}.lock       held while a blob is written
// Ours beside a blob while it downloads: {etag}.lumina-partial (data at its final offsets) and
// {etag}.lumina-partial.json (the byte ranges already written). Neither is a name huggingface_hub reads.
#include "core/util/cancel_token.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lumina::hub {

class RepoCache {
public:
    RepoCache(std::filesystem::path cacheDir, const std::string& repoId);

    const std::filesystem::path& cacheDir() const { return m_cacheDir; }
    const std::filesystem::path& repoFolder() const { return m_repoFolder; }
    std::filesystem::path blobPath(const std::string& etag) const;
    std::filesystem::path partialPath(const std::string& etag) const;
    std::filesystem::path partialStatePath(const std::string& etag) const;
    std::filesystem::path lockPath(const std::string& etag) const;
    std::filesystem::path snapshotDir(const std::string& commit) const;

    // A blob of that name and size is in the cache (a symlink into a shared store counts).
    bool hasBlob(const std::string& etag, uint64_t size) const;
    // Partial files huggingface_hub left ({etag}.incomplete, {etag}.XXXXXXXX.incomplete).
    std::vector<std::filesystem::path> foreignPartials(const std::string& etag) const;

    // snapshots/{commit}/{path} -> relative symlink to blobs/{etag}, replaced atomically. Throws IoError.
    void linkSnapshotFile(const std::string& commit, const std::string& path, const std::string& etag) const;
    // refs/{revision} = commit, unless the revision is the commit itself (as huggingface_hub does).
    void writeRef(const std::string& revision, const std::string& commit) const;
    std::optional<std::string> readRef(const std::string& revision) const;

private:
    std::filesystem::path m_cacheDir;
    std::filesystem::path m_repoFolder;
};

// A snapshot of a diffusers pipeline in the cache and whether everything it needs is there.
struct CachedSnapshot {
    std::string repoId;
    std::string commit;
    std::vector<std::string> refs; // branches/tags pointing at it ("main")
    std::filesystem::path path;
    std::string pipelineClass;
    uint64_t sizeOnDisk = 0;   // distinct blobs the snapshot links to, plus partial downloads
    uint64_t partialBytes = 0; // bytes of unfinished downloads in the repo's blobs/
    bool complete = false;
    std::vector<std::string> missing; // what makes it incomplete, in words ("transformer: no weights")
};

// Checks one snapshot folder: model_index.json, each component's config, tokenizer files and weights (every
// shard a safetensors index names), every link resolving to a blob. Never throws for a broken folder.
CachedSnapshot assessSnapshot(const std::filesystem::path& snapshotDir);

// Re-hashes every blob the snapshot links to (SHA-256 or git SHA-1, as the blob's name says) and returns the
// snapshot paths whose content does not match, or that cannot be read. `onBytes` gets bytes hashed so far.
// Throws Cancelled.
std::vector<std::string>
verifySnapshot(const std::filesystem::path& snapshotDir, const CancelToken* cancel,
               const std::function<void(uint64_t done, uint64_t total)>& onBytes = {});

// Removes a repository's folder (every revision, blob and partial download) from the cache, and its locks.
// Throws IoError.
void deleteCachedRepo(const std::filesystem::path& cacheDir, const std::string& repoId);

// Every snapshot in the cache whose model_index.json names one of `pipelineClasses` (all when empty).
std::vector<CachedSnapshot> scanPipelines(const std::filesystem::path& cacheDir,
                                          const std::vector<std::string>& pipelineClasses);

} // namespace lumina::hub
