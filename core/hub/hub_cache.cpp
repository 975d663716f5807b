#include "core/hub/hub_cache.h"

#include "core/hub/file_selection.h"
#include "core/hub/hashing.h"
#include "core/util/app_paths.h"
#include "core/util/errors.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

namespace lumina::hub {
namespace fs = std::filesystem;

namespace {

std::string readSmallFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s;
}

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool fileUsable(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec); // follows the symlink: a dangling link is not usable
}

} // namespace

RepoCache::RepoCache(fs::path cacheDir, const std::string& repoId)
    : m_cacheDir(std::move(cacheDir))
    , m_repoFolder(m_cacheDir / hubRepoFolderName(repoId)) {}

fs::path RepoCache::blobPath(const std::string& etag) const {
    return m_repoFolder / "blobs" / etag;
}
fs::path RepoCache::partialPath(const std::string& etag) const {
    return m_repoFolder / "blobs" / (etag + ".lumina-partial");
}
fs::path RepoCache::partialStatePath(const std::string& etag) const {
    return m_repoFolder / "blobs" / (etag + ".lumina-partial.json");
}
fs::path RepoCache::lockPath(const std::string& etag) const {
    return m_cacheDir / ".locks" / m_repoFolder.filename() / (etag + ".lock");
}
fs::path RepoCache::snapshotDir(const std::string& commit) const {
    return m_repoFolder / "snapshots" / commit;
}

bool RepoCache::hasBlob(const std::string& etag, uint64_t size) const {
    std::error_code ec;
    const auto p = blobPath(etag);
    return fs::is_regular_file(p, ec) && fs::file_size(p, ec) == size && !ec;
}

std::vector<fs::path> RepoCache::foreignPartials(const std::string& etag) const {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_repoFolder / "blobs", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(etag + ".", 0) == 0 && endsWith(name, ".incomplete") && entry.is_regular_file(ec))
            found.push_back(entry.path());
    }
    return found;
}

void RepoCache::linkSnapshotFile(const std::string& commit, const std::string& path,
                                 const std::string& etag) const {
    const fs::path link = snapshotDir(commit) / fs::path(path);
    std::error_code ec;
    fs::create_directories(link.parent_path(), ec);
    if (ec)
        throw IoError(
            fmt::format("{}: cannot create the folder: {}", link.parent_path().string(), ec.message()));
    const fs::path target = blobPath(etag).lexically_relative(link.parent_path());
    if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == target) return;
    const fs::path tmp =
        link.parent_path() / fmt::format(".{}.{}.tmp-link", link.filename().string(), ::getpid());
    fs::remove(tmp, ec);
    fs::create_symlink(target, tmp, ec);
    if (ec) throw IoError(fmt::format("{}: cannot create the symlink: {}", link.string(), ec.message()));
    fs::rename(tmp, link, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: cannot place the symlink: {}", link.string(), ec.message()));
    }
}

void RepoCache::writeRef(const std::string& revision, const std::string& commit) const {
    if (revision == commit) return;
    const fs::path ref = m_repoFolder / "refs" / fs::path(revision);
    if (readRef(revision) == commit) return;
    std::error_code ec;
    fs::create_directories(ref.parent_path(), ec);
    const fs::path tmp = ref.parent_path() / fmt::format(".{}.{}.tmp", ref.filename().string(), ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << commit; // no newline, like huggingface_hub
        if (!out) throw IoError(fmt::format("{}: cannot write the ref", ref.string()));
    }
    fs::rename(tmp, ref, ec);
    if (ec) throw IoError(fmt::format("{}: cannot write the ref: {}", ref.string(), ec.message()));
}

std::optional<std::string> RepoCache::readRef(const std::string& revision) const {
    const fs::path ref = m_repoFolder / "refs" / fs::path(revision);
    std::error_code ec;
    if (!fs::is_regular_file(ref, ec)) return std::nullopt;
    std::string s = readSmallFile(ref);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    if (s.empty()) return std::nullopt;
    return s;
}

CachedSnapshot assessSnapshot(const fs::path& snapshotDir) {
    CachedSnapshot snap;
    snap.path = snapshotDir;
    snap.commit = snapshotDir.filename().string();
    const fs::path repoFolder = snapshotDir.parent_path().parent_path();
    std::string name = repoFolder.filename().string();
    if (name.rfind("models--", 0) == 0) {
        name = name.substr(8);
        if (auto pos = name.find("--"); pos != std::string::npos) name.replace(pos, 2, "/");
        snap.repoId = name;
    }
    std::error_code ec;
    // Size on disk: the distinct files the snapshot's links end in.
    std::set<fs::path> blobs;
    std::vector<std::string> dangling;
    for (auto it = fs::recursive_directory_iterator(snapshotDir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec)) continue;
        const fs::path p = it->path();
        if (!fileUsable(p)) {
            dangling.push_back(p.lexically_relative(snapshotDir).generic_string());
            continue;
        }
        blobs.insert(fs::weakly_canonical(p, ec));
    }
    for (const auto& b : blobs)
        snap.sizeOnDisk += fs::file_size(b, ec);
    for (const auto& entry : fs::directory_iterator(repoFolder / "blobs", ec)) {
        const std::string n = entry.path().filename().string();
        if (endsWith(n, ".lumina-partial") || endsWith(n, ".incomplete"))
            snap.partialBytes += entry.file_size(ec);
    }
    snap.sizeOnDisk += snap.partialBytes;
    for (const auto& d : dangling)
        snap.missing.push_back(d + ": link to a missing blob");

    const fs::path indexPath = snapshotDir / "model_index.json";
    nlohmann::json index;
    try {
        if (!fileUsable(indexPath)) throw std::runtime_error("missing");
        index = nlohmann::json::parse(readSmallFile(indexPath));
        snap.pipelineClass = index.value("_class_name", std::string());
    } catch (const std::exception&) {
        snap.missing.push_back("model_index.json");
        return snap;
    }
    std::vector<std::string> components;
    try {
        components = pipelineComponents(index);
    } catch (const std::exception& e) {
        snap.missing.push_back(e.what());
        return snap;
    }
    for (const auto& c : components) {
        const fs::path folder = snapshotDir / c;
        const std::string library = index[c][0].get<std::string>();
        const std::string cls = index[c][1].get<std::string>();
        const bool isScheduler = cls.find("Scheduler") != std::string::npos;
        const bool isTokenizer = cls.find("Tokenizer") != std::string::npos;
        if (isScheduler) {
            if (!fileUsable(folder / "scheduler_config.json"))
                snap.missing.push_back(c + "/scheduler_config.json");
            continue;
        }
        if (isTokenizer) {
            if (!fileUsable(folder / "tokenizer_config.json"))
                snap.missing.push_back(c + "/tokenizer_config.json");
            if (!fileUsable(folder / "tokenizer.json") && !fileUsable(folder / "tokenizer.model"))
                snap.missing.push_back(c + "/tokenizer.json or tokenizer.model");
            continue;
        }
        if (!fileUsable(folder / "config.json")) snap.missing.push_back(c + "/config.json");
        std::vector<std::string> weights, indexes;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            const std::string n = entry.path().filename().string();
            if (endsWith(n, ".safetensors.index.json"))
                indexes.push_back(n);
            else if (endsWith(n, ".safetensors") && fileUsable(entry.path()))
                weights.push_back(n);
        }
        if (!indexes.empty()) {
            for (const auto& idx : indexes) {
                try {
                    const auto j = nlohmann::json::parse(readSmallFile(folder / idx));
                    std::set<std::string> shards;
                    for (const auto& [key, shard] : j.at("weight_map").items())
                        shards.insert(shard.get<std::string>());
                    for (const auto& s : shards)
                        if (!fileUsable(folder / s)) snap.missing.push_back(c + "/" += s);
                } catch (const std::exception&) {
                    snap.missing.push_back((c + "/" += idx) += " (unreadable)");
                }
            }
        } else if (weights.empty()) {
            snap.missing.push_back(c + ": no .safetensors weights");
        }
        (void)library;
    }
    snap.complete = snap.missing.empty();
    return snap;
}

std::vector<std::string> verifySnapshot(const fs::path& snapshotDir, const CancelToken* cancel,
                                        const std::function<void(uint64_t, uint64_t)>& onBytes) {
    std::vector<std::pair<std::string, fs::path>> files; // snapshot path, blob
    std::vector<std::string> bad;
    uint64_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(snapshotDir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec)) continue;
        const std::string rel = it->path().lexically_relative(snapshotDir).generic_string();
        if (!fileUsable(it->path())) {
            bad.push_back(rel);
            continue;
        }
        files.emplace_back(rel, it->path());
        total += fs::file_size(it->path(), ec);
    }
    uint64_t done = 0;
    for (const auto& [rel, path] : files) {
        const std::string blobName =
            fs::is_symlink(path, ec) ? fs::read_symlink(path, ec).filename().string() : "";
        const bool sha256 = isHexDigest(blobName, 64);
        if (!sha256 && !isHexDigest(blobName, 40)) {
            done += fs::file_size(path, ec);
            continue; // a plain file (a copied folder): nothing names its hash
        }
        const uint64_t base = done;
        std::string digest;
        try {
            digest = hashFile(path, sha256 ? HashKind::Sha256 : HashKind::GitSha1, cancel, [&](uint64_t n) {
                if (onBytes) onBytes(base + n, total);
            });
        } catch (const IoError&) {
            digest.clear();
        }
        if (digest != blobName) bad.push_back(rel);
        done = base + fs::file_size(path, ec);
    }
    return bad;
}

void deleteCachedRepo(const fs::path& cacheDir, const std::string& repoId) {
    const std::string folder = hubRepoFolderName(repoId);
    std::error_code ec;
    fs::remove_all(cacheDir / folder, ec);
    if (ec) throw IoError(fmt::format("{}: cannot delete: {}", (cacheDir / folder).string(), ec.message()));
    fs::remove_all(cacheDir / ".locks" / folder, ec);
}

std::vector<CachedSnapshot> scanPipelines(const fs::path& cacheDir,
                                          const std::vector<std::string>& pipelineClasses) {
    std::vector<CachedSnapshot> found;
    std::error_code ec;
    std::vector<fs::path> repos;
    for (const auto& entry : fs::directory_iterator(cacheDir, ec))
        if (entry.path().filename().string().rfind("models--", 0) == 0 && entry.is_directory(ec))
            repos.push_back(entry.path());
    std::sort(repos.begin(), repos.end());
    for (const auto& repo : repos) {
        std::map<std::string, std::vector<std::string>> refsByCommit;
        const fs::path refs = repo / "refs";
        for (auto it = fs::recursive_directory_iterator(refs, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            std::string commit = readSmallFile(it->path());
            while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back())))
                commit.pop_back();
            refsByCommit[commit].push_back(it->path().lexically_relative(refs).generic_string());
        }
        ec.clear();
        std::vector<fs::path> snapshots;
        for (const auto& entry : fs::directory_iterator(repo / "snapshots", ec))
            if (entry.is_directory(ec)) snapshots.push_back(entry.path());
        ec.clear();
        std::sort(snapshots.begin(), snapshots.end());
        for (const auto& s : snapshots) {
            auto snap = assessSnapshot(s);
            if (!pipelineClasses.empty() && std::find(pipelineClasses.begin(), pipelineClasses.end(),
                                                      snap.pipelineClass) == pipelineClasses.end())
                continue;
            snap.refs = refsByCommit[snap.commit];
            std::sort(snap.refs.begin(), snap.refs.end());
            found.push_back(std::move(snap));
        }
    }
    return found;
}

} // namespace lumina::hub
