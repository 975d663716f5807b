#pragma once
// Content hashes of Hub files with OpenSSL's EVP interface: SHA-256 for LFS files (the blob name and the
// `lfs.sha256` of the revision metadata), git's blob SHA-1 ("blob <size>\0" + content) for the small files
// that git stores itself (their blob name and `blobId`).
#include "core/util/cancel_token.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace lumina::hub {

enum class HashKind { Sha256, GitSha1 };

// The hash a blob name implies: 64 hex digits SHA-256, 40 hex digits git SHA-1.
bool isHexDigest(const std::string& s, std::size_t length);

// Lower-case hex digest of a file (for GitSha1 the size goes into the git header). `onBytes` receives the
// bytes hashed so far; a cancel request throws Cancelled. Throws IoError when the file cannot be read.
std::string hashFile(const std::filesystem::path& file, HashKind kind, const CancelToken* cancel = nullptr,
                     const std::function<void(uint64_t)>& onBytes = {});

} // namespace lumina::hub
