#include "core/hub/http_client.h"

#include "core/hub/hub_errors.h"
#include "core/hub/url.h"
#include "core/util/log.h"

#include <algorithm>
#include <chrono>
#include <curl/curl.h>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <thread>

namespace lumina::hub {
namespace {

constexpr int kMaxRedirects = 10;
constexpr std::size_t kErrorBodyLimit = std::size_t{64} * 1024;
constexpr std::size_t kCollectLimit = 64u << 20;

void globalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread: curl_easy_reset keeps its connection cache, so requests to the same host
// reuse the connection (keep-alive, TLS session).
CURL* threadHandle() {
    struct Holder {
        CURL* handle = nullptr;
        ~Holder() {
            if (handle) curl_easy_cleanup(handle);
        }
    };
    thread_local Holder holder;
    if (!holder.handle) {
        globalInit();
        holder.handle = curl_easy_init();
        if (!holder.handle) throw NetworkError("libcurl could not create a transfer handle");
    } else {
        curl_easy_reset(holder.handle);
    }
    return holder.handle;
}

struct Transfer {
    const HttpRequest* request = nullptr;
    const CancelToken* cancel = nullptr;
    CURL* curl = nullptr;
    HttpResponse* response = nullptr;
    std::map<std::string, std::string> headers;
    bool stoppedEarly = false;
    bool started = false;
    bool stalled = false;
    int stallSeconds = 30;
    curl_off_t lastBytes = -1;
    std::chrono::steady_clock::time_point lastByteTime = std::chrono::steady_clock::now();
    std::exception_ptr error;
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
        t->headers.clear(); // a new response (after 100 Continue, for instance)
    } else if (auto colon = line.find(':'); colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        t->headers[lower(line.substr(0, colon))] = value;
    }
    return size * count;
}

std::size_t onWrite(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    const bool success = status >= 200 && status < 300;
    if (success && t->request->onBody) {
        try {
            if (!t->started) {
                t->started = true;
                if (t->request->onStart) t->request->onStart(status, t->headers);
            }
            if (!t->request->onBody(data, n)) {
                t->stoppedEarly = true;
                return 0;
            }
        } catch (...) {
            t->error = std::current_exception();
            return 0;
        }
        return n;
    }
    const std::size_t limit = success ? kCollectLimit : kErrorBodyLimit;
    if (t->response->body.size() < limit)
        t->response->body.append(data, std::min(n, limit - t->response->body.size()));
    return n;
}

int onProgress(void* user, curl_off_t, curl_off_t downloaded, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->cancel && t->cancel->requested()) return 1;
    if (t->request->abort && t->request->abort->load(std::memory_order_relaxed)) return 1;
    // A stall is measured here rather than with CURLOPT_LOW_SPEED_*, whose averaging window delays it by
    // several seconds: no new byte (header or body) for stallSeconds aborts the transfer.
    const auto now = std::chrono::steady_clock::now();
    if (downloaded != t->lastBytes) {
        t->lastBytes = downloaded;
        t->lastByteTime = now;
    } else if (now - t->lastByteTime > std::chrono::seconds(t->stallSeconds)) {
        t->stalled = true;
        return 1;
    }
    return 0;
}

bool isRedirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

std::string HttpResponse::header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
}

std::string HttpResponse::firstHeader(const std::string& lowerName) const {
    auto it = firstHeaders.find(lowerName);
    return it == firstHeaders.end() ? std::string() : it->second;
}

HttpClient::HttpClient(const HubConfig& config, const CancelToken* cancel)
    : m_config(config)
    , m_cancel(cancel)
    , m_endpointOrigin(config.endpointOrigin()) {}

HttpResponse HttpClient::perform(const HttpRequest& request) const {
    HttpResponse response;
    std::string url = request.url;
    bool tokenAllowed = !m_config.token.empty();
    static const std::string userAgent = fmt::format("lumina-studio/{}; hf_hub-compatible", LUMINA_VERSION);
    for (int hop = 0;; ++hop) {
        // The token goes to the endpoint's own origin only, and never after a redirect has left it.
        if (urlOrigin(url) != m_endpointOrigin) tokenAllowed = false;
        CURL* curl = threadHandle();
        Transfer t;
        t.request = &request;
        t.cancel = m_cancel;
        t.curl = curl;
        t.response = &response;
        t.stallSeconds = m_config.stallSeconds;
        response.body.clear();

        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
        auto addHeader = [&](const std::string& h) {
            headers.reset(curl_slist_append(headers.release(), h.c_str()));
        };
        addHeader("Accept-Encoding: identity"); // sizes and Range offsets are those of the file itself
        if (tokenAllowed) addHeader("Authorization: Bearer " + m_config.token);
        if (request.rangeStart >= 0)
            addHeader(request.rangeEnd >= 0
                          ? fmt::format("Range: bytes={}-{}", request.rangeStart, request.rangeEnd)
                          : fmt::format("Range: bytes={}-", request.rangeStart));

        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(curl, CURLOPT_USERAGENT, userAgent.c_str());
        curl_easy_setopt(curl, CURLOPT_NOBODY, request.head ? 1L : 0L);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                         static_cast<long>(std::max(10, m_config.stallSeconds)));
        curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024L);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);

        log::debug("hub: {} {}{}", request.head ? "HEAD" : "GET", url,
                   request.rangeStart >= 0 ? fmt::format(" (from byte {})", request.rangeStart) : "");
        const CURLcode rc = curl_easy_perform(curl);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
        if (t.error) std::rethrow_exception(t.error);
        if (m_cancel && m_cancel->requested()) throw Cancelled();
        if (rc == CURLE_ABORTED_BY_CALLBACK && t.stalled)
            throw RetryableError(fmt::format("{}: no data for {} s (stalled connection)", urlOrigin(url),
                                             m_config.stallSeconds),
                                 -1);
        if (rc == CURLE_ABORTED_BY_CALLBACK) throw Cancelled();
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.stoppedEarly)) {
            const std::string reason = std::string(curl_easy_strerror(rc));
            throw RetryableError(fmt::format("{}: {}", urlOrigin(url), reason), -1);
        }
        response.status = status;
        response.headers = std::move(t.headers);
        if (hop == 0) response.firstHeaders = response.headers;
        response.url = url;
        response.stoppedEarly = t.stoppedEarly;
        if (!request.followRedirects || !isRedirect(status)) return response;
        const std::string location = response.header("location");
        if (location.empty())
            throw ProtocolError(fmt::format("{} answered {} without a Location", url, status));
        if (hop + 1 >= kMaxRedirects)
            throw ProtocolError(fmt::format("{}: more than {} redirects", request.url, kMaxRedirects));
        url = resolveUrl(url, location);
    }
}

int64_t parseRetryAfter(const std::string& value) {
    if (value.empty()) return -1;
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        try {
            return std::min<int64_t>(std::stoll(value), 86400) * 1000;
        } catch (const std::exception&) {
            return -1;
        }
    }
    const time_t when = curl_getdate(value.c_str(), nullptr);
    if (when < 0) return -1;
    return std::max<int64_t>(0,
                             (static_cast<int64_t>(when) - static_cast<int64_t>(std::time(nullptr))) * 1000);
}

void throwForStatus(const HttpResponse& r, const std::string& what, const std::string& repoId,
                    const std::string& endpoint) {
    if (r.status >= 200 && r.status < 300) return;
    const std::string code = r.header("x-error-code");
    std::string serverMessage = r.header("x-error-message");
    if (serverMessage.empty() && r.body.size() < 300) serverMessage = r.body;
    const std::string detail = serverMessage.empty() ? "" : fmt::format(" (server: {})", serverMessage);
    if (r.status == 408 || r.status == 429 || r.status >= 500)
        throw RetryableError(fmt::format("{}: HTTP {}{}", what, r.status, detail),
                             parseRetryAfter(r.header("retry-after")));
    if (code == "GatedRepo" ||
        ((r.status == 401 || r.status == 403) && code.empty() && r.body.find("gated") != std::string::npos))
        throw RepoError(
            fmt::format("{} is a gated repository: accept its conditions at {}/{} and provide a token "
                        "(HF_TOKEN, or `hf auth login`){}",
                        repoId, endpoint, repoId, detail));
    if (r.status == 401 || r.status == 403 || code == "RepoNotFound")
        throw RepoError(
            fmt::format("{}: repository {} not found at {} or not accessible (HTTP {}); for a private "
                        "or gated repository set HF_TOKEN or run `hf auth login`{}",
                        what, repoId, endpoint, r.status, detail));
    if (code == "RevisionNotFound")
        throw RepoError(fmt::format("{}: revision not found in {}{}", what, repoId, detail));
    if (r.status == 404)
        throw RepoError(
            fmt::format("{}: not found (HTTP 404{}){}", what, code.empty() ? "" : ", " + code, detail));
    throw RepoError(fmt::format("{}: HTTP {}{}", what, r.status, detail));
}

void withRetries(const HubConfig& config, const CancelToken* cancel, const std::atomic<bool>* abort,
                 const std::string& what, const std::function<void()>& attempt,
                 const std::function<bool()>& progressed) {
    int failures = 0;
    for (;;) {
        try {
            attempt();
            return;
        } catch (const RetryableError& e) {
            if (progressed && progressed()) failures = 0;
            ++failures;
            if (failures >= config.maxAttempts)
                throw NetworkError(
                    fmt::format("{}: giving up after {} attempts: {}", what, failures, e.what()));
            int64_t waitMs =
                e.retryAfterMs >= 0
                    ? std::min<int64_t>(e.retryAfterMs, 120'000)
                    : std::min<int64_t>(static_cast<int64_t>(config.backoffMs) << (failures - 1), 30'000);
            log::warn("{}: {} (attempt {} of {}, retrying in {:.1f} s)", what, e.what(), failures,
                      config.maxAttempts, waitMs / 1000.0);
            const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
            while (std::chrono::steady_clock::now() < until) {
                if (cancel && cancel->requested()) throw Cancelled();
                if (abort && abort->load()) throw Cancelled();
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }
}

} // namespace lumina::hub
