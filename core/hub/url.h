#pragma once
// URL helpers on libcurl's URL API (curl_url): origins, relative redirects, percent-encoding.
#include <string>

namespace lumina::hub {

// "scheme://host:port" with the default port made explicit; empty for an unparsable URL.
std::string urlOrigin(const std::string& url);

// `location` (absolute, or relative as in a Location header) resolved against `base`. Throws ProtocolError.
std::string resolveUrl(const std::string& base, const std::string& location);

// Percent-encodes everything but unreserved characters (RFC 3986); keepSlash leaves '/' as is.
std::string percentEncode(const std::string& s, bool keepSlash);

} // namespace lumina::hub
