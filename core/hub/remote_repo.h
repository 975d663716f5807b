#pragma once
// What a Hub repository holds at a revision: the commit and the files with their sizes and content hashes
// (GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true, as huggingface_hub's
// HfApi.model_info(files_metadata=True) asks; a file the answer leaves without metadata is completed from
// the headers of HEAD {endpoint}/{repo}/resolve/{commit}/{path}, as file_download.get_hf_file_metadata does).
#include "core/hub/http_client.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lumina::hub {

struct RemoteFile {
    std::string path; // relative, '/'-separated ("transformer/diffusion_pytorch_model.safetensors")
    uint64_t size = 0;
    std::string blobId; // git blob SHA-1 (of the file, or of its LFS pointer)
    std::string sha256; // LFS files: SHA-256 of the content; empty for files git stores itself
    // The blob name in the cache: the SHA-256 for LFS files, the git SHA-1 otherwise (huggingface_hub's
    // etag).
    const std::string& etag() const { return sha256.empty() ? blobId : sha256; }
};

struct RepoRevision {
    std::string repoId;
    std::string revision; // as asked ("main", a tag, or a commit)
    std::string commit;   // 40 hex digits
    std::vector<RemoteFile> files;
    const RemoteFile* find(const std::string& path) const;
};

// "org/name" with the characters the Hub allows. Throws InvalidRequest (a usage error) otherwise.
void validateRepoId(const std::string& repoId);
// A branch, tag or commit name that is safe to put in a URL path segment and under refs/. Throws
// InvalidRequest.
void validateRevision(const std::string& revision);
// A sibling path that stays inside the snapshot: relative, '/'-separated, no "..", ".", empty segments,
// backslashes, drive letters or control characters.
bool isSafeRepoPath(const std::string& path);

// {endpoint}/{repo}/resolve/{commit}/{path}
std::string resolveFileUrl(const HubConfig& config, const std::string& repoId, const std::string& commit,
                           const std::string& path);

// Resolves the revision (with retries). Throws RepoError (not found, gated, no access), ProtocolError (an
// unsafe sibling path, a malformed answer), NetworkError.
RepoRevision fetchRevision(const HttpClient& http, const HubConfig& config, const std::string& repoId,
                           const std::string& revision);

// Fills size / etag of a file the revision answer left without them, from the resolve HEAD headers
// (X-Repo-Commit, X-Linked-Etag or ETag, X-Linked-Size or Content-Length).
void completeFileMetadata(const HttpClient& http, const HubConfig& config, const RepoRevision& repo,
                          RemoteFile& file);

} // namespace lumina::hub
