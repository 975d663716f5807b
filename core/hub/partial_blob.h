#pragma once
// One blob being downloaded: the data file beside the blob ({etag}.lumina-partial, every byte at its final
// offset), split into byte ranges that may be fetched in parallel, and a small state file recording how
// much of each range is written ({etag}.lumina-partial.json), so that a later run continues with HTTP
// Range requests after a cancel, a crash or a reboot. The data is flushed before the state that vouches
// for it is replaced. A partial file huggingface_hub left behind is taken over as a written prefix.
// Nothing becomes a blob before its hash is checked; the rename into blobs/ is atomic.
#include "core/hub/hub_cache.h"
#include "core/hub/remote_repo.h"
#include "core/util/cancel_token.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace lumina::hub {

class PartialBlob {
public:
    struct Part {
        uint64_t start = 0, end = 0; // [start, end)
        std::atomic<uint64_t> done{0};
        uint64_t length() const { return end - start; }
    };

    // Takes the blob's lock (huggingface_hub's .locks file), opens or creates the partial file and reads its
    // state. Throws IoError / DiskSpaceError, Error when another process holds the lock.
    PartialBlob(const RepoCache& cache, const RemoteFile& file, uint64_t minPartBytes, int maxParts);
    ~PartialBlob();
    PartialBlob(const PartialBlob&) = delete;
    PartialBlob& operator=(const PartialBlob&) = delete;

    const RemoteFile& file() const { return m_file; }
    std::size_t partCount() const { return m_parts.size(); }
    Part& part(std::size_t i) { return *m_parts[i]; }
    uint64_t doneBytes() const;
    uint64_t resumedBytes() const { return m_resumedBytes; } // already there when opened

    // Writes at the part's current end and advances it. Throws DiskSpaceError (ENOSPC/EDQUOT/EFBIG), IoError.
    void write(std::size_t partIndex, const char* data, std::size_t size);
    // Records progress (at most once a second unless forced): flush data, then replace the state file.
    void saveState(bool force);
    // All parts written: flush, hash, and on a match rename into blobs/ (true). On a mismatch the partial
    // and its state are removed and every part starts again (false); `actual` receives the digest found.
    bool finish(const CancelToken* cancel, std::string* actual);
    int verifyFailures() const { return m_verifyFailures; }

private:
    void openFresh();
    bool loadState();
    void adoptForeignPartial();
    void layoutParts(uint64_t minPartBytes, int maxParts);

    const RepoCache& m_cache;
    RemoteFile m_file;
    std::vector<std::unique_ptr<Part>> m_parts;
    int m_fd = -1;
    int m_lockFd = -1;
    uint64_t m_resumedBytes = 0;
    uint64_t m_minPartBytes;
    int m_maxParts;
    int m_verifyFailures = 0;
    std::mutex m_stateMutex;
    mutable std::mutex m_partsMutex; // guards the vector itself (re-laid out after a hash mismatch)
    std::chrono::steady_clock::time_point m_lastSave{};
};

} // namespace lumina::hub
