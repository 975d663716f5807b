#include "core/hub/url.h"

#include "core/hub/hub_errors.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <memory>

namespace lumina::hub {
namespace {

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string part(CURLU* u, CURLUPart which, unsigned flags) {
    char* value = nullptr;
    if (curl_url_get(u, which, &value, flags) != CURLUE_OK || !value) return {};
    std::string s(value);
    curl_free(value);
    return s;
}

} // namespace

std::string urlOrigin(const std::string& url) {
    UrlHandle u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
    std::string host = part(u.get(), CURLUPART_HOST, 0);
    for (auto& c : host)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return fmt::format("{}://{}:{}", part(u.get(), CURLUPART_SCHEME, 0), host,
                       part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT));
}

std::string resolveUrl(const std::string& base, const std::string& location) {
    UrlHandle u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
        curl_url_set(u.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK)
        throw ProtocolError(
            fmt::format("the server redirected {} to an invalid location '{}'", base, location));
    return part(u.get(), CURLUPART_URL, 0);
}

std::string percentEncode(const std::string& s, bool keepSlash) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/'))
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

} // namespace lumina::hub
