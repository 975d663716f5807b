#include "core/hub/partial_blob.h"

#include "core/hub/hashing.h"
#include "core/hub/hub_errors.h"
#include "core/util/log.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

namespace lumina::hub {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void throwWriteError(const fs::path& path, int err) {
    if (err == ENOSPC || err == EDQUOT || err == EFBIG)
        throw DiskSpaceError(
            fmt::format("{}: the disk is full ({}); the download stopped and will continue from "
                        "here once space is freed",
                        path.parent_path().string(), std::strerror(err)));
    throw IoError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(err)));
}

} // namespace

PartialBlob::PartialBlob(const RepoCache& cache, const RemoteFile& file, uint64_t minPartBytes, int maxParts)
    : m_cache(cache)
    , m_file(file)
    , m_minPartBytes(minPartBytes)
    , m_maxParts(maxParts) {
    const fs::path lock = cache.lockPath(file.etag());
    std::error_code ec;
    fs::create_directories(lock.parent_path(), ec);
    fs::create_directories(cache.blobPath(file.etag()).parent_path(), ec);
    if (ec)
        throw IoError(
            fmt::format("{}: cannot create the cache folder: {}", cache.repoFolder().string(), ec.message()));
    m_lockFd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_lockFd < 0)
        throw IoError(fmt::format("{}: cannot open the lock file: {}", lock.string(), std::strerror(errno)));
    if (::flock(m_lockFd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_lockFd);
        m_lockFd = -1;
        throw Error(
            fmt::format("{}: another process is downloading this file into the same cache (lock {}); wait "
                        "for it to finish, then run again",
                        file.path, lock.string()));
    }
    const fs::path partial = cache.partialPath(file.etag());
    if (fs::exists(partial, ec) && loadState()) {
        m_fd = ::open(partial.c_str(), O_RDWR | O_CLOEXEC);
        if (m_fd < 0)
            throw IoError(fmt::format("{}: cannot open: {}", partial.string(), std::strerror(errno)));
    } else {
        openFresh();
        adoptForeignPartial();
    }
    m_resumedBytes = doneBytes();
}

PartialBlob::~PartialBlob() {
    if (m_fd >= 0) {
        try {
            saveState(true);
        } catch (const std::exception& e) {
            log::warn("{}: could not record the download state: {}", m_file.path, e.what());
        }
        ::close(m_fd);
    }
    if (m_lockFd >= 0) ::close(m_lockFd); // releases the lock
}

void PartialBlob::layoutParts(uint64_t minPartBytes, int maxParts) {
    std::lock_guard lock(m_partsMutex);
    m_parts.clear();
    const uint64_t size = m_file.size;
    uint64_t count = size >= 2 * minPartBytes ? std::min<uint64_t>(maxParts, size / minPartBytes) : 1;
    count = std::max<uint64_t>(count, 1);
    for (uint64_t i = 0; i < count; ++i) {
        auto p = std::make_unique<Part>();
        p->start = size * i / count;
        p->end = size * (i + 1) / count;
        m_parts.push_back(std::move(p));
    }
}

void PartialBlob::openFresh() {
    const fs::path partial = m_cache.partialPath(m_file.etag());
    std::error_code ec;
    fs::remove(m_cache.partialStatePath(m_file.etag()), ec);
    if (m_fd >= 0) ::close(m_fd);
    m_fd = ::open(partial.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) throw IoError(fmt::format("{}: cannot create: {}", partial.string(), std::strerror(errno)));
    layoutParts(m_minPartBytes, m_maxParts);
    // Reserve the space now where the file system can: a full disk shows up before any byte is fetched.
    if (m_file.size > 0) {
        const int rc = ::posix_fallocate(m_fd, 0, static_cast<off_t>(m_file.size));
        if (rc == ENOSPC || rc == EDQUOT || rc == EFBIG) {
            ::ftruncate(m_fd, 0);
            throwWriteError(partial, rc);
        }
    }
}

bool PartialBlob::loadState() {
    const fs::path statePath = m_cache.partialStatePath(m_file.etag());
    try {
        std::ifstream in(statePath);
        if (!in) return false;
        const auto j = nlohmann::json::parse(in);
        if (j.at("etag").get<std::string>() != m_file.etag() || j.at("size").get<uint64_t>() != m_file.size)
            return false;
        std::vector<std::unique_ptr<Part>> parts;
        uint64_t expectStart = 0;
        for (const auto& r : j.at("parts")) {
            auto p = std::make_unique<Part>();
            p->start = r.at(0).get<uint64_t>();
            p->end = r.at(1).get<uint64_t>();
            p->done = r.at(2).get<uint64_t>();
            if (p->start != expectStart || p->end < p->start || p->done > p->length()) return false;
            expectStart = p->end;
            parts.push_back(std::move(p));
        }
        if (expectStart != m_file.size || parts.empty()) return false;
        std::lock_guard lock(m_partsMutex);
        m_parts = std::move(parts);
        return true;
    } catch (const std::exception& e) {
        log::warn("{}: ignoring an unreadable download state ({}), starting the file again",
                  statePath.string(), e.what());
        return false;
    }
}

void PartialBlob::adoptForeignPartial() {
    // huggingface_hub writes whole files from the start: what it left is a valid prefix.
    fs::path best;
    uint64_t bestSize = 0;
    std::error_code ec;
    for (const auto& p : m_cache.foreignPartials(m_file.etag())) {
        const uint64_t s = fs::file_size(p, ec);
        if (!ec && s > bestSize && s <= m_file.size) {
            best = p;
            bestSize = s;
        }
    }
    if (best.empty()) return;
    const fs::path partial = m_cache.partialPath(m_file.etag());
    ::close(m_fd);
    m_fd = -1;
    fs::rename(best, partial, ec);
    m_fd = ::open(partial.c_str(), O_RDWR | O_CLOEXEC);
    if (ec || m_fd < 0) {
        openFresh();
        return;
    }
    ::posix_fallocate(m_fd, 0, static_cast<off_t>(m_file.size));
    for (auto& p : m_parts)
        p->done = bestSize <= p->start ? 0 : std::min(bestSize - p->start, p->length());
    log::info("{}: continuing from {} bytes left by another downloader ({})", m_file.path, bestSize,
              best.string());
    saveState(true);
}

uint64_t PartialBlob::doneBytes() const {
    std::lock_guard lock(m_partsMutex);
    uint64_t sum = 0;
    for (const auto& p : m_parts)
        sum += p->done.load(std::memory_order_relaxed);
    return sum;
}

void PartialBlob::write(std::size_t partIndex, const char* data, std::size_t size) {
    Part& p = *m_parts[partIndex];
    uint64_t offset = p.start + p.done.load(std::memory_order_relaxed);
    while (size > 0) {
        const ssize_t n = ::pwrite(m_fd, data, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            saveState(true);
            throwWriteError(m_cache.partialPath(m_file.etag()), err);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<uint64_t>(n);
        p.done.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    }
    saveState(false);
}

void PartialBlob::saveState(bool force) {
    std::unique_lock lock(m_stateMutex, std::defer_lock);
    if (force)
        lock.lock();
    else if (!lock.try_lock())
        return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_lastSave < std::chrono::seconds(1)) return;
    m_lastSave = now;
    if (m_fd < 0) return;
    nlohmann::json parts = nlohmann::json::array();
    {
        std::lock_guard partsLock(m_partsMutex);
        for (const auto& p : m_parts)
            parts.push_back({p->start, p->end, p->done.load(std::memory_order_relaxed)});
    }
    const nlohmann::json j{{"version", 1},
                           {"path", m_file.path},
                           {"etag", m_file.etag()},
                           {"size", m_file.size},
                           {"parts", parts}};
    ::fdatasync(m_fd); // the bytes the state vouches for are on disk before it says so
    const fs::path statePath = m_cache.partialStatePath(m_file.etag());
    const fs::path tmp = statePath.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << j.dump();
        if (!out) return; // the disk may be full: the older state stays valid
    }
    std::error_code ec;
    fs::rename(tmp, statePath, ec);
}

bool PartialBlob::finish(const CancelToken* cancel, std::string* actual) {
    const fs::path partial = m_cache.partialPath(m_file.etag());
    if (::fsync(m_fd) != 0) throwWriteError(partial, errno);
    std::error_code ec;
    const uint64_t onDisk = fs::file_size(partial, ec);
    std::string digest;
    if (onDisk == m_file.size)
        digest = hashFile(partial, m_file.sha256.empty() ? HashKind::GitSha1 : HashKind::Sha256, cancel);
    else
        digest = fmt::format("a file of {} bytes instead of {}", onDisk, m_file.size);
    if (actual) *actual = digest;
    if (digest == m_file.etag()) {
        fs::rename(partial, m_cache.blobPath(m_file.etag()), ec);
        if (ec)
            throw IoError(fmt::format("{}: cannot move the verified file into the cache: {}",
                                      partial.string(), ec.message()));
        ::close(m_fd);
        m_fd = -1;
        fs::remove(m_cache.partialStatePath(m_file.etag()), ec);
        return true;
    }
    ++m_verifyFailures;
    log::warn("{}: content hash mismatch (expected {}, got {}); discarding the downloaded bytes", m_file.path,
              m_file.etag(), digest);
    openFresh();
    return false;
}

} // namespace lumina::hub
