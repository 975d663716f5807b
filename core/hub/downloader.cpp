#include "core/hub/downloader.h"

#include "core/hub/file_selection.h"
#include "core/hub/hashing.h"
#include "core/hub/hub_cache.h"
#include "core/hub/hub_errors.h"
#include "core/hub/partial_blob.h"
#include "core/util/log.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sys/statvfs.h>
#include <thread>

namespace lumina::hub {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kFreeSpaceMargin = 64ull << 20;

uint64_t parseContentRangeStart(const std::string& value, uint64_t* total) {
    // "bytes 100-199/1000"
    unsigned long long a = 0, b = 0, t = 0;
    if (std::sscanf(value.c_str(), "bytes %llu-%llu/%llu", &a, &b, &t) == 3) {
        *total = t;
        return a;
    }
    if (std::sscanf(value.c_str(), "bytes %llu-%llu/*", &a, &b) == 2) {
        *total = UINT64_MAX;
        return a;
    }
    throw ProtocolError(fmt::format("the server sent an unreadable Content-Range '{}'", value));
}

std::string headerOf(const std::map<std::string, std::string>& h, const std::string& name) {
    auto it = h.find(name);
    return it == h.end() ? std::string() : it->second;
}

} // namespace

std::string formatBytes(uint64_t b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1000.0 && u < 5) {
        v /= 1000.0;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

void checkFreeSpace(const fs::path& folder, uint64_t needed) {
    fs::path probe = folder;
    std::error_code ec;
    while (!probe.empty() && !fs::exists(probe, ec) && probe.has_parent_path() &&
           probe != probe.parent_path())
        probe = probe.parent_path();
    struct statvfs st {};
    if (::statvfs(probe.c_str(), &st) != 0) return; // unknown: let the writes tell
    const uint64_t available = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    if (needed + kFreeSpaceMargin > available)
        throw DiskSpaceError(
            fmt::format("not enough disk space in {}: the download needs {}, {} is available (free "
                        "some space, or choose another cache folder with --cache or HF_HUB_CACHE)",
                        folder.string(), formatBytes(needed), formatBytes(available)));
}

HubDownloader::HubDownloader(HubConfig config, const CancelToken* cancel)
    : m_config(std::move(config))
    , m_cancel(cancel) {}

namespace {

// "a.safetensors, b/c.safetensors" (at most 12), for messages about a missing file.
std::string safetensorsFilesOf(const RepoRevision& repo) {
    std::vector<std::string> names;
    for (const auto& f : repo.files)
        if (f.path.size() > 12 && f.path.compare(f.path.size() - 12, 12, ".safetensors") == 0)
            names.push_back(f.path);
    if (names.empty()) return "none";
    const std::size_t shown = std::min<std::size_t>(names.size(), 12);
    std::string text =
        fmt::format("{}", fmt::join(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(shown), ", "));
    if (names.size() > shown) text += fmt::format(" and {} more", names.size() - shown);
    return text;
}

// A --file path: inside the repository, and never pickle weights (the same rule as pipeline downloads).
void checkRequestedFile(const std::string& path) {
    const fs::path p(path);
    bool escapes = p.is_absolute() || path.empty();
    for (const auto& part : p)
        escapes = escapes || part == "..";
    if (escapes) throw InvalidRequest(fmt::format("--file {}: not a path inside the repository", path));
    for (const char* pickle : {".bin", ".pt", ".pth", ".ckpt"})
        if (p.extension() == pickle)
            throw InvalidRequest(fmt::format(
                "--file {}: pickle weights ({}) are never downloaded; choose the .safetensors file", path,
                pickle));
}

} // namespace

DownloadPlan HubDownloader::planOffline(const std::string& repoId, const std::string& revision,
                                        const std::vector<std::string>& onlyFiles) {
    RepoCache cache(m_config.cacheDir, repoId);
    std::string commit = isHexDigest(revision, 40) ? revision : cache.readRef(revision).value_or("");
    std::error_code ec;
    if (commit.empty() || !fs::is_directory(cache.snapshotDir(commit), ec))
        throw NetworkError(
            fmt::format("HF_HUB_OFFLINE is set and {} (revision {}) is not in the cache {}; unset "
                        "HF_HUB_OFFLINE to download it",
                        repoId, revision, m_config.cacheDir.string()));
    const fs::path snapshot = cache.snapshotDir(commit);
    std::vector<std::string> paths = onlyFiles;
    if (onlyFiles.empty()) {
        const auto snap = assessSnapshot(snapshot);
        if (!snap.complete)
            throw NetworkError(
                fmt::format("HF_HUB_OFFLINE is set and the cached {} is incomplete (missing: {}); unset "
                            "HF_HUB_OFFLINE to finish the download",
                            repoId, fmt::join(snap.missing, ", ")));
        for (auto it = fs::recursive_directory_iterator(snapshot, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (!it->is_directory(ec))
                paths.push_back(it->path().lexically_relative(snapshot).generic_string());
    } else {
        for (const auto& path : onlyFiles)
            if (!fs::is_regular_file(snapshot / path, ec))
                throw NetworkError(
                    fmt::format("HF_HUB_OFFLINE is set and {} of {} (revision {}) is not in the cache {}; "
                                "unset HF_HUB_OFFLINE to download it",
                                path, repoId, revision, m_config.cacheDir.string()));
    }
    DownloadPlan plan;
    plan.offline = true;
    plan.repo.repoId = repoId;
    plan.repo.revision = revision;
    plan.repo.commit = commit;
    plan.cacheDir = m_config.cacheDir;
    plan.snapshotDir = snapshot;
    for (const auto& path : paths) {
        PlannedFile f;
        f.remote.path = path;
        f.remote.size = fs::file_size(snapshot / path, ec);
        f.cached = true;
        plan.totalBytes += f.remote.size;
        plan.files.push_back(f);
    }
    plan.cachedBytes = plan.totalBytes;
    return plan;
}

DownloadPlan HubDownloader::plan(const std::string& repoId, const std::string& revision,
                                 const std::vector<std::string>& onlyFiles) {
    validateRepoId(repoId);
    validateRevision(revision);
    for (const auto& path : onlyFiles)
        checkRequestedFile(path);
    if (m_config.offline) return planOffline(repoId, revision, onlyFiles);
    HttpClient http(m_config, m_cancel);
    RepoRevision repo = fetchRevision(http, m_config, repoId, revision);
    RepoCache cache(m_config.cacheDir, repoId);
    if (!onlyFiles.empty()) {
        for (const auto& path : onlyFiles)
            if (!repo.find(path))
                throw RepoError(fmt::format("{} (commit {}) has no file {}; its .safetensors files: {}",
                                            repoId, repo.commit, path, safetensorsFilesOf(repo)));
        cache.writeRef(revision, repo.commit);
        return planPaths(http, std::move(repo), onlyFiles, std::nullopt);
    }

    const RemoteFile* indexFile = repo.find("model_index.json");
    if (!indexFile)
        throw RepoError(
            fmt::format("{} (commit {}) has no model_index.json: it is not a diffusers pipeline. For "
                        "single files name them with --file; its .safetensors files: {}",
                        repoId, repo.commit, safetensorsFilesOf(repo)));
    RemoteFile index = *indexFile;
    completeFileMetadata(http, m_config, repo, index);
    cache.writeRef(revision, repo.commit);
    PlannedFile indexPlan{index, cache.hasBlob(index.etag(), index.size), 0};
    fetchFiles(repo, {indexPlan}, {}, nullptr);

    nlohmann::json modelIndex;
    try {
        std::ifstream in(cache.blobPath(index.etag()));
        modelIndex = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw RepoError(fmt::format("{}: model_index.json is not valid JSON ({})", repoId, e.what()));
    }
    std::vector<std::string> paths;
    for (const auto& f : repo.files)
        paths.push_back(f.path);
    return planPaths(http, std::move(repo), selectPipelineFiles(modelIndex, paths), index);
}

DownloadPlan HubDownloader::planPaths(const HttpClient& http, RepoRevision repo,
                                      const std::vector<std::string>& paths,
                                      const std::optional<RemoteFile>& index) {
    RepoCache cache(m_config.cacheDir, repo.repoId);
    DownloadPlan plan;
    plan.cacheDir = m_config.cacheDir;
    plan.snapshotDir = cache.snapshotDir(repo.commit);
    for (const auto& path : paths) {
        RemoteFile f = *repo.find(path);
        if (index && path == "model_index.json") f = *index;
        completeFileMetadata(http, m_config, repo, f);
        PlannedFile p;
        p.remote = f;
        p.cached = cache.hasBlob(f.etag(), f.size);
        if (!p.cached) {
            // What an interrupted run left (our state file, or a prefix huggingface_hub left).
            std::error_code ec;
            try {
                std::ifstream in(cache.partialStatePath(f.etag()));
                if (in) {
                    const auto j = nlohmann::json::parse(in);
                    for (const auto& part : j.at("parts"))
                        p.resumable += part.at(2).get<uint64_t>();
                }
            } catch (const std::exception&) {
                p.resumable = 0;
            }
            for (const auto& foreign : cache.foreignPartials(f.etag()))
                p.resumable =
                    std::max<uint64_t>(p.resumable, std::min<uint64_t>(fs::file_size(foreign, ec), f.size));
        }
        plan.totalBytes += f.size;
        if (p.cached) plan.cachedBytes += f.size;
        plan.resumableBytes += p.resumable;
        plan.files.push_back(std::move(p));
    }
    plan.repo = std::move(repo);
    return plan;
}

DownloadResult HubDownloader::download(const DownloadPlan& plan,
                                       const std::function<void(const DownloadProgress&)>& onProgress) {
    DownloadResult result;
    result.commit = plan.repo.commit;
    result.snapshotDir = plan.snapshotDir;
    result.reusedBytes = plan.cachedBytes;
    if (plan.offline) return result;
    RepoCache cache(plan.cacheDir, plan.repo.repoId);
    cache.writeRef(plan.repo.revision, plan.repo.commit);
    checkFreeSpace(cache.repoFolder() / "blobs", plan.bytesToFetch());
    result.fetchedBytes = fetchFiles(plan.repo, plan.files, onProgress, &result.verifyRefetches);
    return result;
}

uint64_t HubDownloader::fetchFiles(const RepoRevision& repo, const std::vector<PlannedFile>& files,
                                   const std::function<void(const DownloadProgress&)>& onProgress,
                                   int* refetches) {
    RepoCache cache(m_config.cacheDir, repo.repoId);
    HttpClient http(m_config, m_cancel);

    struct Job {
        const PlannedFile* planned;
        std::unique_ptr<PartialBlob> blob;
        std::atomic<int> partsLeft{0};
        std::atomic<int> state{static_cast<int>(FileState::Queued)};
    };
    std::vector<std::unique_ptr<Job>> jobs;
    for (const auto& f : files) {
        auto job = std::make_unique<Job>();
        job->planned = &f;
        if (f.cached || cache.hasBlob(f.remote.etag(), f.remote.size)) {
            cache.linkSnapshotFile(repo.commit, f.remote.path, f.remote.etag());
            job->state = static_cast<int>(FileState::Cached);
        }
        jobs.push_back(std::move(job));
    }

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::pair<Job*, std::size_t>> queue; // (job, part); part == SIZE_MAX: verify
    std::atomic<bool> abort{false};
    std::exception_ptr firstError;
    std::atomic<uint64_t> fetched{0};
    int jobsLeft = 0;
    int verifyRefetches = 0;

    auto enqueueJob = [&](Job& job) { // under `mutex`
        int left = 0;
        for (std::size_t i = 0; i < job.blob->partCount(); ++i)
            if (job.blob->part(i).done < job.blob->part(i).length()) {
                queue.emplace_back(&job, i);
                ++left;
            }
        job.partsLeft = left;
        if (left == 0) queue.emplace_back(&job, SIZE_MAX);
    };

    // Open the partial files (and take their locks) before any transfer starts.
    {
        std::lock_guard lock(mutex);
        for (auto& job : jobs) {
            if (job->state == static_cast<int>(FileState::Cached)) continue;
            job->blob = std::make_unique<PartialBlob>(cache, job->planned->remote, m_config.minPartBytes,
                                                      m_config.maxPartsPerFile);
            enqueueJob(*job);
            ++jobsLeft;
        }
    }

    auto fetchPart = [&](Job& job, std::size_t index) {
        PartialBlob& blob = *job.blob;
        PartialBlob::Part& part = blob.part(index);
        const RemoteFile& file = blob.file();
        const std::string url = resolveFileUrl(m_config, repo.repoId, repo.commit, file.path);
        const std::string what = fmt::format("{}: {}", repo.repoId, file.path);
        uint64_t lastDone = part.done;
        withRetries(
            m_config, m_cancel, &abort, what,
            [&] {
                const uint64_t from = part.start + part.done;
                if (from >= part.end) return;
                HttpRequest request;
                request.url = url;
                request.rangeStart = static_cast<int64_t>(from);
                request.rangeEnd = static_cast<int64_t>(part.end - 1);
                request.abort = &abort;
                uint64_t skip = 0;
                request.onStart = [&](long status, const std::map<std::string, std::string>& headers) {
                    if (status == 206) {
                        uint64_t total = UINT64_MAX;
                        const uint64_t start =
                            parseContentRangeStart(headerOf(headers, "content-range"), &total);
                        if (start != from)
                            throw ProtocolError(fmt::format(
                                "{}: asked for bytes from {}, the server sent from {}", what, from, start));
                        if (total != UINT64_MAX && total != file.size)
                            throw ProtocolError(
                                fmt::format("{}: the server's file has {} bytes, the revision says {}", what,
                                            total, file.size));
                    } else {
                        // The server ignored Range: read past what is already written.
                        skip = from;
                        const std::string length = headerOf(headers, "content-length");
                        if (!length.empty() && std::stoull(length) != file.size)
                            throw ProtocolError(
                                fmt::format("{}: the server's file has {} bytes, the revision says {}", what,
                                            length, file.size));
                    }
                };
                request.onBody = [&](const char* data, std::size_t n) {
                    if (skip > 0) {
                        const uint64_t s = std::min<uint64_t>(skip, n);
                        skip -= s;
                        data += s;
                        n -= s;
                    }
                    const uint64_t room = part.length() - part.done;
                    const std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(room, n));
                    if (take > 0) {
                        blob.write(index, data, take);
                        fetched.fetch_add(take, std::memory_order_relaxed);
                    }
                    return part.done < part.length();
                };
                job.state = static_cast<int>(FileState::Downloading);
                const HttpResponse response = http.perform(request);
                throwForStatus(response, what, repo.repoId, m_config.endpoint);
                if (part.done < part.length())
                    throw RetryableError(fmt::format("{}: the connection closed at byte {} of {}", what,
                                                     part.start + part.done, file.size),
                                         -1);
            },
            [&] {
                const bool moved = part.done != lastDone;
                lastDone = part.done;
                return moved;
            });
    };

    auto verify = [&](Job& job) {
        job.state = static_cast<int>(FileState::Verifying);
        std::string actual;
        if (job.blob->finish(m_cancel, &actual)) {
            cache.linkSnapshotFile(repo.commit, job.planned->remote.path, job.planned->remote.etag());
            job.state = static_cast<int>(FileState::Done);
            return true;
        }
        if (job.blob->verifyFailures() > m_config.maxVerifyRefetches)
            throw VerificationError(fmt::format(
                "{}: {}: the downloaded content does not match the repository ({} expected, {} received) "
                "after {} "
                "attempts; nothing was stored. The server's copy may be damaged: try again later or another "
                "endpoint (HF_ENDPOINT)",
                repo.repoId, job.planned->remote.path,
                job.planned->remote.sha256.empty() ? "git SHA-1 " + job.planned->remote.blobId
                                                   : "SHA-256 " + job.planned->remote.sha256,
                actual, job.blob->verifyFailures()));
        job.state = static_cast<int>(FileState::Queued);
        return false;
    };

    auto worker = [&] {
        for (;;) {
            std::pair<Job*, std::size_t> task;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return abort || jobsLeft == 0 || !queue.empty(); });
                if (abort || jobsLeft == 0) return;
                task = queue.front();
                queue.pop_front();
            }
            try {
                Job& job = *task.first;
                bool verifyNow = task.second == SIZE_MAX;
                if (!verifyNow) {
                    fetchPart(job, task.second);
                    verifyNow = --job.partsLeft == 0;
                }
                if (verifyNow) {
                    const bool ok = verify(job);
                    std::lock_guard lock(mutex);
                    if (ok) {
                        --jobsLeft;
                    } else {
                        ++verifyRefetches;
                        enqueueJob(job);
                    }
                    wake.notify_all();
                }
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!firstError) firstError = std::current_exception();
                abort = true;
                wake.notify_all();
                return;
            }
        }
    };

    uint64_t totalBytes = 0, initialDone = 0;
    for (const auto& job : jobs) {
        totalBytes += job->planned->remote.size;
        initialDone += job->blob ? job->blob->doneBytes() : job->planned->remote.size;
    }
    auto snapshot = [&](double rate) {
        DownloadProgress p;
        p.totalBytes = totalBytes;
        p.fetchedBytes = fetched;
        p.bytesPerSecond = rate;
        p.filesTotal = static_cast<int>(jobs.size());
        for (const auto& job : jobs) {
            FileProgress f;
            f.path = job->planned->remote.path;
            f.size = job->planned->remote.size;
            f.state = static_cast<FileState>(job->state.load());
            f.done = (f.state == FileState::Cached || f.state == FileState::Done || !job->blob)
                         ? f.size
                         : job->blob->doneBytes();
            if (f.state == FileState::Cached || f.state == FileState::Done) ++p.filesDone;
            p.doneBytes += f.done;
            p.files.push_back(std::move(f));
        }
        if (rate > 1.0)
            p.etaSeconds = static_cast<double>(p.totalBytes - std::min(p.totalBytes, p.doneBytes)) / rate;
        return p;
    };

    int workerCount = 0;
    {
        std::lock_guard lock(mutex);
        workerCount = static_cast<int>(
            std::min<std::size_t>(queue.size(), static_cast<std::size_t>(m_config.connections)));
    }
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(workerCount));
    for (int i = 0; i < workerCount; ++i)
        workers.emplace_back(worker);

    // Progress from this thread, with a rate over the last few seconds.
    std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>> samples;
    for (;;) {
        {
            std::unique_lock lock(mutex);
            wake.wait_for(lock, std::chrono::milliseconds(250));
            if (m_cancel && m_cancel->requested()) abort = true;
            if (jobsLeft == 0 || abort) break;
        }
        const auto now = std::chrono::steady_clock::now();
        samples.emplace_back(now, fetched.load());
        while (samples.size() > 2 && now - samples.front().first > std::chrono::seconds(5))
            samples.pop_front();
        double rate = 0;
        if (samples.size() >= 2) {
            const double dt =
                std::chrono::duration<double>(samples.back().first - samples.front().first).count();
            if (dt > 0) rate = static_cast<double>(samples.back().second - samples.front().second) / dt;
        }
        if (onProgress) onProgress(snapshot(rate));
    }
    wake.notify_all();
    for (auto& t : workers)
        t.join();
    if (onProgress) onProgress(snapshot(0));
    (void)initialDone;
    if (refetches) *refetches += verifyRefetches;
    jobs.clear(); // records the state of every unfinished file, releases the locks
    if (m_cancel && m_cancel->requested()) throw Cancelled();
    if (firstError) std::rethrow_exception(firstError);
    return fetched.load();
}

} // namespace lumina::hub
