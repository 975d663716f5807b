#pragma once
// Errors of the Hugging Face Hub client (docs/hub.md). Repository, file and verification problems are
// `Error`s (the CLI exits 3 on them); transport failures after every retry are `NetworkError`s (exit 5).
#include "core/util/errors.h"

namespace lumina::hub {

// The repository, revision or file does not exist, or is not accessible (401/403/404, a gated repository).
class RepoError : public Error {
public:
    using Error::Error;
};

// The server sent something unsafe or inconsistent (a sibling path escaping the snapshot, a bad commit id,
// a size or ETag that contradicts the revision metadata).
class ProtocolError : public Error {
public:
    using Error::Error;
};

// Downloaded bytes do not hash to what the repository says, even after fetching them again.
class VerificationError : public Error {
public:
    using Error::Error;
};

// Not enough free space before starting, or the disk filled up while writing.
class DiskSpaceError : public IoError {
public:
    using IoError::IoError;
};

} // namespace lumina::hub
