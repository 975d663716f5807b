#include "core/io/mapped_file.h"

#include "core/util/errors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lumina::io {

std::shared_ptr<MappedFile> MappedFile::open(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_symlink(path, ec) && !std::filesystem::exists(path, ec))
        throw ModelLoadError(
            fmt::format("{}: broken symbolic link (its target {} is missing; re-download the "
                        "file)",
                        path.string(), std::filesystem::read_symlink(path, ec).string()));
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw ModelLoadError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw ModelLoadError(fmt::format("{}: not a regular file", path.string()));
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_size = static_cast<uint64_t>(st.st_size);
    if (file->m_size > 0) {
        void* p = ::mmap(nullptr, file->m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw ModelLoadError(fmt::format("{}: cannot map: {}", path.string(), std::strerror(err)));
        }
        file->m_data = static_cast<uint8_t*>(p);
    }
    ::close(fd);
    return file;
}

void MappedFile::adviseWillNeed(uint64_t offset, uint64_t length) const {
    if (!m_data || length == 0 || offset >= m_size) return;
    static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t begin = offset / page * page;
    const uint64_t end = std::min(m_size, offset + length);
    ::madvise(m_data + begin, end - begin, MADV_WILLNEED);
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(m_data, m_size);
}

} // namespace lumina::io
