#include "core/util/utf8.h"

#include "core/util/errors.h"

#include <fmt/format.h>

namespace lumina {

std::optional<std::size_t> findInvalidUtf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    auto cont = [&](std::size_t k) { return k < n && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80; };
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (!cont(i + 1)) return i;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (!cont(i + 1) || !cont(i + 2)) return i;
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i; // overlong, surrogate
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return i;
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return i; // overlong, > U+10FFFF
            i += 4;
        } else {
            return i;
        }
    }
    return std::nullopt;
}

void requireValidUtf8(std::string_view text, const std::string& what) {
    if (const auto bad = findInvalidUtf8(text))
        throw InvalidRequest(fmt::format("{} is not valid UTF-8 (invalid byte 0x{:02X} at byte offset {}); "
                                         "save or paste the text as UTF-8",
                                         what, static_cast<unsigned char>(text[*bad]), *bad));
}

char32_t decodeUtf8(std::string_view s, std::size_t& pos) {
    const auto c = static_cast<unsigned char>(s[pos]);
    auto at = [&](std::size_t k) {
        return static_cast<char32_t>(static_cast<unsigned char>(s[pos + k]) & 0x3F);
    };
    char32_t cp;
    if (c < 0x80) {
        cp = c;
        pos += 1;
    } else if (c < 0xE0) {
        cp = (static_cast<char32_t>(c & 0x1F) << 6) | at(1);
        pos += 2;
    } else if (c < 0xF0) {
        cp = (static_cast<char32_t>(c & 0x0F) << 12) | (at(1) << 6) | at(2);
        pos += 3;
    } else {
        cp = (static_cast<char32_t>(c & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3);
        pos += 4;
    }
    return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace lumina
