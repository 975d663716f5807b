#include "core/hub/remote_repo.h"

#include "core/hub/hashing.h"
#include "core/hub/hub_errors.h"
#include "core/hub/url.h"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lumina::hub {
namespace {

// huggingface_hub.file_download._normalize_etag: drop a weak-validator prefix and the quotes.
std::string normalizeEtag(std::string etag) {
    if (etag.rfind("W/", 0) == 0) etag = etag.substr(2);
    etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
    return etag;
}

uint64_t parseSize(const std::string& s) {
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
        return UINT64_MAX;
    try {
        return std::stoull(s);
    } catch (const std::exception&) {
        return UINT64_MAX;
    }
}

} // namespace

const RemoteFile* RepoRevision::find(const std::string& path) const {
    for (const auto& f : files)
        if (f.path == path) return &f;
    return nullptr;
}

void validateRepoId(const std::string& repoId) {
    const auto slash = repoId.find('/');
    const bool shapeOk = slash != std::string::npos && slash > 0 && slash + 1 < repoId.size() &&
                         repoId.find('/', slash + 1) == std::string::npos && repoId.size() <= 96;
    const bool charsOk = std::all_of(repoId.begin(), repoId.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
    });
    if (!shapeOk || !charsOk || repoId.find("..") != std::string::npos ||
        repoId.find("--") != std::string::npos || repoId.front() == '.' ||
        repoId.find("/.") != std::string::npos)
        throw InvalidRequest(fmt::format("'{}' is not a repository id (expected ORG/NAME, for example "
                                         "Alpha-VLLM/Lumina-Next-SFT-diffusers)",
                                         repoId));
}

void validateRevision(const std::string& revision) {
    const bool ok = !revision.empty() && revision.size() <= 255 && revision.find("..") == std::string::npos &&
                    revision.front() != '/' && revision.back() != '/' &&
                    revision.find("//") == std::string::npos &&
                    std::all_of(revision.begin(), revision.end(), [](unsigned char c) {
                        return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
                    });
    if (!ok)
        throw InvalidRequest(
            fmt::format("'{}' is not a revision name (a branch, a tag or a commit)", revision));
}

bool isSafeRepoPath(const std::string& path) {
    if (path.empty() || path.size() > 4096 || path.front() == '/') return false;
    if (path.find('\\') != std::string::npos) return false;
    if (path.size() >= 2 && path[1] == ':') return false; // C:foo
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f) return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const std::string segment = path.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") return false;
        start = end + 1;
    }
    return true;
}

std::string resolveFileUrl(const HubConfig& config, const std::string& repoId, const std::string& commit,
                           const std::string& path) {
    return fmt::format("{}/{}/resolve/{}/{}", config.endpoint, repoId, percentEncode(commit, false),
                       percentEncode(path, true));
}

RepoRevision fetchRevision(const HttpClient& http, const HubConfig& config, const std::string& repoId,
                           const std::string& revision) {
    const std::string url = fmt::format("{}/api/models/{}/revision/{}?blobs=true", config.endpoint, repoId,
                                        percentEncode(revision, false));
    const std::string what = fmt::format("{} revision {}", repoId, revision);
    HttpResponse response;
    withRetries(config, nullptr, nullptr, what, [&] {
        HttpRequest request;
        request.url = url;
        response = http.perform(request);
        throwForStatus(response, what, repoId, config.endpoint);
    });
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(response.body);
    } catch (const std::exception& e) {
        throw ProtocolError(fmt::format("{}: the revision answer is not JSON ({})", url, e.what()));
    }
    if (!j.is_object() || !j.contains("sha") || !j["sha"].is_string() || !j.contains("siblings") ||
        !j["siblings"].is_array())
        throw ProtocolError(fmt::format("{}: the revision answer has no 'sha' and 'siblings'", url));
    RepoRevision repo;
    repo.repoId = repoId;
    repo.revision = revision;
    repo.commit = j["sha"].get<std::string>();
    if (!isHexDigest(repo.commit, 40))
        throw ProtocolError(fmt::format("{}: '{}' is not a commit id (40 hex digits)", url, repo.commit));
    for (const auto& s : j["siblings"]) {
        if (!s.is_object() || !s.contains("rfilename") || !s["rfilename"].is_string())
            throw ProtocolError(fmt::format("{}: a sibling without 'rfilename'", url));
        RemoteFile f;
        f.path = s["rfilename"].get<std::string>();
        if (!isSafeRepoPath(f.path))
            throw ProtocolError(fmt::format("{} lists an unsafe file path '{}' (absolute, '..', '.', empty "
                                            "segment or backslash): refusing to download from it",
                                            what, f.path));
        f.size = UINT64_MAX;
        if (s.contains("size") && s["size"].is_number_unsigned()) f.size = s["size"].get<uint64_t>();
        if (s.contains("blobId") && s["blobId"].is_string()) f.blobId = s["blobId"].get<std::string>();
        if (s.contains("lfs") && s["lfs"].is_object()) {
            const auto& lfs = s["lfs"];
            if (lfs.contains("sha256") && lfs["sha256"].is_string())
                f.sha256 = lfs["sha256"].get<std::string>();
            if (lfs.contains("size") && lfs["size"].is_number_unsigned())
                f.size = lfs["size"].get<uint64_t>();
        }
        if (!f.sha256.empty() && !isHexDigest(f.sha256, 64))
            throw ProtocolError(fmt::format("{}: '{}' has a malformed lfs.sha256", what, f.path));
        if (!f.blobId.empty() && !isHexDigest(f.blobId, 40)) f.blobId.clear();
        repo.files.push_back(std::move(f));
    }
    return repo;
}

void completeFileMetadata(const HttpClient& http, const HubConfig& config, const RepoRevision& repo,
                          RemoteFile& file) {
    if (file.size != UINT64_MAX && !file.etag().empty()) return;
    std::string url = resolveFileUrl(config, repo.repoId, repo.commit, file.path);
    const std::string what = fmt::format("{}: {}", repo.repoId, file.path);
    HttpResponse r;
    withRetries(config, nullptr, nullptr, what, [&] {
        // Like huggingface_hub, follow redirects within the endpoint (a renamed repository) but read the
        // metadata from the Hub's own answer, not from the CDN's.
        std::string current = url;
        for (int hop = 0; hop < 5; ++hop) {
            HttpRequest request;
            request.head = true;
            request.url = current;
            request.followRedirects = false;
            r = http.perform(request);
            const std::string location = r.header("location");
            if (r.status >= 300 && r.status < 400 && !location.empty() && r.header("x-linked-etag").empty()) {
                const std::string next = resolveUrl(current, location);
                if (urlOrigin(next) == config.endpointOrigin()) {
                    current = next;
                    continue;
                }
            }
            break;
        }
        if (r.status >= 300 && r.status < 400) return;
        throwForStatus(r, what, repo.repoId, config.endpoint);
    });
    const std::string linked = normalizeEtag(r.header("x-linked-etag"));
    const std::string etag = linked.empty() ? normalizeEtag(r.header("etag")) : linked;
    if (isHexDigest(linked, 64))
        file.sha256 = linked;
    else if (isHexDigest(etag, 40))
        file.blobId = etag;
    else if (isHexDigest(etag, 64))
        file.sha256 = etag;
    else
        throw ProtocolError(fmt::format("{}: the server gives no usable ETag ('{}'), so the file cannot be "
                                        "verified or named in the cache",
                                        what, etag));
    uint64_t size = parseSize(r.header("x-linked-size"));
    if (size == UINT64_MAX && r.status < 300) size = parseSize(r.header("content-length"));
    if (size == UINT64_MAX) throw ProtocolError(fmt::format("{}: the server gives no file size", what));
    file.size = size;
}

} // namespace lumina::hub
