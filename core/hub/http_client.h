#pragma once
// HTTP for the Hub client on libcurl: TLS verification on, proxies from the environment (libcurl reads
// http_proxy / https_proxy / no_proxy), HTTP/2 where the server offers it, a stall timeout (no byte for
// HubConfig::stallSeconds). Redirects are followed here, not by libcurl, so that the token goes only to the
// endpoint's origin and never again once a redirect has left it (huggingface_hub does the same: its
// Authorization header is dropped on a cross-host redirect). The token is never logged.
#include "core/hub/hub_config.h"
#include "core/util/cancel_token.h"
#include "core/util/errors.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace lumina::hub {

struct HttpRequest {
    bool head = false;
    std::string url;
    int64_t rangeStart = -1; // -1: no Range header
    int64_t rangeEnd = -1;   // inclusive; -1: to the end
    bool followRedirects = true;
    // Called once with the status and headers of a 2xx response, before its first body chunk.
    std::function<void(long, const std::map<std::string, std::string>&)> onStart;
    // Body chunks of a 2xx response; return false to stop the transfer early (not an error).
    std::function<bool(const char*, std::size_t)> onBody;
    const std::atomic<bool>* abort = nullptr; // set by another thread: stop as if cancelled
};

struct HttpResponse {
    long status = 0;
    std::map<std::string, std::string> headers;      // lower-case names, final response
    std::map<std::string, std::string> firstHeaders; // the first response (the Hub's own, before a CDN)
    std::string body;                                // collected when no onBody, or an error body (64 KB)
    std::string url;                                 // the URL that answered last
    bool stoppedEarly = false;
    std::string header(const std::string& lowerName) const;
    std::string firstHeader(const std::string& lowerName) const;
};

// A failure worth retrying: a transport error (reset, refused, stalled) or 408/429/5xx.
class RetryableError : public NetworkError {
public:
    RetryableError(const std::string& message, int64_t retryAfterMs)
        : NetworkError(message)
        , retryAfterMs(retryAfterMs) {}
    int64_t retryAfterMs; // from Retry-After, -1 when the server did not say
};

class HttpClient {
public:
    HttpClient(const HubConfig& config, const CancelToken* cancel);
    // One request (following redirects). Transport errors throw RetryableError, a cancel throws Cancelled,
    // an exception thrown by onBody propagates. Any HTTP status is returned as is.
    HttpResponse perform(const HttpRequest& request) const;

private:
    const HubConfig& m_config;
    const CancelToken* m_cancel;
    std::string m_endpointOrigin;
};

// Retry-After as milliseconds (delta-seconds or an HTTP date), -1 when absent or unreadable.
int64_t parseRetryAfter(const std::string& value);

// Throws RetryableError for 408, 429 and 5xx (with Retry-After), RepoError for the other 4xx (naming
// `what` and the Hub's X-Error-Code / X-Error-Message), ProtocolError for unexpected statuses.
void throwForStatus(const HttpResponse& response, const std::string& what, const std::string& repoId,
                    const std::string& endpoint);

// Calls `attempt` until it returns; a RetryableError waits (Retry-After, else exponential backoff from
// config.backoffMs, at most 30 s... and at most 120 s for Retry-After) and tries again. `progressed`, when
// given, says whether the failed attempt moved forward: then the count of failures starts again.
// After config.maxAttempts failures in a row throws NetworkError naming `what`.
void withRetries(const HubConfig& config, const CancelToken* cancel, const std::atomic<bool>* abort,
                 const std::string& what, const std::function<void()>& attempt,
                 const std::function<bool()>& progressed = {});

} // namespace lumina::hub
