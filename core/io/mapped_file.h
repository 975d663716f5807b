#pragma once
// A read-only memory mapping of a whole file (copy-on-write private pages, so LibTorch may wrap them
// without copying; writes never reach the file).
#include <cstdint>
#include <filesystem>
#include <memory>

namespace lumina::io {

class MappedFile {
public:
    // Throws ModelLoadError naming the file when it is missing, unreadable or a broken link.
    static std::shared_ptr<MappedFile> open(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return m_data; }
    uint8_t* mutableData() const { return m_data; }
    uint64_t size() const { return m_size; }
    const std::filesystem::path& path() const { return m_path; }
    // madvise(MADV_WILLNEED) on [offset, offset + length), widened to whole pages: starts the reads in the
    // background. Only advice: failures are ignored.
    void adviseWillNeed(uint64_t offset, uint64_t length) const;

private:
    MappedFile() = default;
    std::filesystem::path m_path;
    uint8_t* m_data = nullptr;
    uint64_t m_size = 0;
};

} // namespace lumina::io
