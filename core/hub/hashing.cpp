#include "core/hub/hashing.h"

#include "core/util/errors.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <openssl/evp.h>
#include <unistd.h>
#include <vector>

namespace lumina::hub {

bool isHexDigest(const std::string& s, std::size_t length) {
    if (s.size() != length) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string hashFile(const std::filesystem::path& file, HashKind kind, const CancelToken* cancel,
                     const std::function<void(uint64_t)>& onBytes) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw IoError(fmt::format("{}: cannot read it to verify: {}", file.string(), std::strerror(errno)));
    std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* p) {
        ::close(*p);
        delete p;
    });
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx ||
        EVP_DigestInit_ex(ctx.get(), kind == HashKind::Sha256 ? EVP_sha256() : EVP_sha1(), nullptr) != 1)
        throw Error("OpenSSL could not start a digest");
    if (kind == HashKind::GitSha1) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        const std::string header = fmt::format("blob {}", size);
        EVP_DigestUpdate(ctx.get(), header.data(), header.size() + 1); // with the terminating NUL
    }
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    std::vector<unsigned char> buffer(4u << 20);
    uint64_t done = 0;
    for (;;) {
        if (cancel && cancel->requested()) throw Cancelled();
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IoError(
                fmt::format("{}: read error while verifying: {}", file.string(), std::strerror(errno)));
        }
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(n));
        done += static_cast<uint64_t>(n);
        if (onBytes) onBytes(done);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

} // namespace lumina::hub
