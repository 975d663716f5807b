#pragma once
// Strict UTF-8 decoding (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) for prompt text.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lumina {

// Byte offset of the first invalid sequence, or nullopt when `text` is valid UTF-8.
std::optional<std::size_t> findInvalidUtf8(std::string_view text);

// Throws InvalidRequest naming `what` and the byte offset when `text` is not valid UTF-8.
void requireValidUtf8(std::string_view text, const std::string& what);

// Decodes the code point at `pos` (text must be valid) and advances pos past it.
char32_t decodeUtf8(std::string_view text, std::size_t& pos);
void appendUtf8(std::string& out, char32_t cp);
inline bool isValidUtf8(std::string_view text) {
    return !findInvalidUtf8(text).has_value();
}

} // namespace lumina
