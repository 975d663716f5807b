#include "core/image/embedded_metadata.h"

#include <fmt/format.h>

namespace lumina::image {

namespace {

// A1111 quotes values that would break its "key: value, key: value" line.
std::string quoteIfNeeded(const std::string& v) {
    if (v.find_first_of(",:\n\"") == std::string::npos) return v;
    return nlohmann::json(v).dump();
}

std::string xmlEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\r':
            out += "&#13;";
            break; // XML parsers fold raw CR into LF
        default:
            out += c;
        }
    }
    return out;
}

std::u16string utf8ToUtf16(std::string_view s) {
    std::u16string out;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto lead = static_cast<unsigned char>(s[i]);
        int extra = lead < 0x80             ? 0
                    : (lead & 0xE0) == 0xC0 ? 1
                    : (lead & 0xF0) == 0xE0 ? 2
                    : (lead & 0xF8) == 0xF0 ? 3
                                            : -1;
        char32_t cp = extra == 0   ? lead
                      : extra == 1 ? (lead & 0x1F)
                      : extra == 2 ? (lead & 0x0F)
                                   : (lead & 0x07);
        bool ok = extra >= 0 && i + static_cast<std::size_t>(extra) < s.size();
        for (int k = 1; ok && k <= extra; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            ok = (c & 0xC0) == 0x80;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!ok) {
            out += u'\uFFFD';
            ++i;
            continue;
        }
        i += static_cast<std::size_t>(extra) + 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (cp >> 10));
            out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
        } else {
            out += static_cast<char16_t>(cp);
        }
    }
    return out;
}

void putU16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

void putU32(std::vector<uint8_t>& out, uint32_t v) {
    putU16(out, static_cast<uint16_t>(v >> 16));
    putU16(out, static_cast<uint16_t>(v));
}

struct IfdEntry {
    uint16_t tag;
    uint16_t type; // 2 ASCII, 4 LONG, 7 UNDEFINED
    std::vector<uint8_t> data;
    uint32_t count() const {
        return type == 4 ? static_cast<uint32_t>(data.size() / 4) : static_cast<uint32_t>(data.size());
    }
};

std::size_t ifdSize(const std::vector<IfdEntry>& entries) {
    std::size_t size = 2 + 12 * entries.size() + 4;
    for (const auto& e : entries)
        if (e.data.size() > 4) size += (e.data.size() + 1) & ~std::size_t{1};
    return size;
}

// Appends one IFD (entries sorted by tag) followed by its out-of-line values; offsets count from the TIFF
// header.
void writeIfd(std::vector<uint8_t>& out, const std::vector<IfdEntry>& entries) {
    const std::size_t start = out.size();
    std::size_t dataAt = start + 2 + 12 * entries.size() + 4;
    putU16(out, static_cast<uint16_t>(entries.size()));
    std::vector<uint8_t> data;
    for (const auto& e : entries) {
        putU16(out, e.tag);
        putU16(out, e.type);
        putU32(out, e.count());
        if (e.data.size() <= 4) {
            std::vector<uint8_t> inline4(e.data);
            inline4.resize(4, 0);
            out.insert(out.end(), inline4.begin(), inline4.end());
        } else {
            putU32(out, static_cast<uint32_t>(dataAt + data.size()));
            data.insert(data.end(), e.data.begin(), e.data.end());
            if (data.size() & 1) data.push_back(0);
        }
    }
    putU32(out, 0); // no next IFD
    out.insert(out.end(), data.begin(), data.end());
}

IfdEntry asciiEntry(uint16_t tag, std::string_view s) {
    IfdEntry e{tag, 2, std::vector<uint8_t>(s.begin(), s.end())};
    e.data.push_back(0);
    return e;
}

} // namespace

std::string a1111Parameters(const nlohmann::json& s) {
    if (!s.is_object()) return {};
    auto str = [&](const char* key) {
        const auto it = s.find(key);
        return it != s.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto number = [&](const char* key) -> std::string {
        const auto it = s.find(key);
        if (it == s.end() || !it->is_number()) return {};
        if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
        if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
        return fmt::format("{:g}", it->get<double>());
    };
    std::string text = str("prompt");
    if (const std::string negative = str("negative_prompt"); !negative.empty())
        text += "\nNegative prompt: " + negative;
    std::vector<std::pair<std::string, std::string>> fields{{"Steps", number("steps")},
                                                            {"Sampler", str("sampler")},
                                                            {"Schedule type", str("schedule")},
                                                            {"CFG scale", number("guidance")},
                                                            {"Seed", number("seed")},
                                                            {"Size", ""},
                                                            {"Model", str("model")},
                                                            {"Time shift", number("time_shift")},
                                                            {"Lumina preset", str("preset")}};
    if (!number("width").empty() && !number("height").empty())
        fields[5].second = number("width") + "x" + number("height");
    std::string line;
    for (const auto& [key, value] : fields) {
        if (value.empty()) continue;
        if (!line.empty()) line += ", ";
        line += key + ": " + quoteIfNeeded(value);
    }
    if (!line.empty()) text += "\n" + line;
    return text;
}

std::string asciiJson(const nlohmann::json& settings) {
    return settings.dump(-1, ' ', true);
}

std::string xmpPacket(const XmpContent& c) {
    if (c.settingsJson.empty() && c.parameters.empty() && !c.aiProvenance && c.creatorTool.empty()) return {};
    std::string x = "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                    "  <rdf:Description rdf:about=\"\"\n"
                    "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                    "    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"\n"
                    "    xmlns:lumina=\"";
    x += kLuminaXmpNamespace;
    x += "\"";
    if (c.aiProvenance)
        x += std::string("\n    ") + kDigitalSourceTypeKey + "=\"" + kTrainedAlgorithmicMedia + "\"";
    if (!c.creatorTool.empty()) x += "\n    xmp:CreatorTool=\"" + xmlEscape(c.creatorTool) + "\"";
    x += ">\n";
    if (!c.settingsJson.empty())
        x += "   <lumina:settings>" + xmlEscape(c.settingsJson) + "</lumina:settings>\n";
    if (!c.parameters.empty())
        x += "   <lumina:parameters>" + xmlEscape(c.parameters) + "</lumina:parameters>\n";
    x += "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>";
    return x;
}

std::vector<uint8_t> exifBlock(std::string_view description, std::string_view software,
                               std::string_view userComment) {
    std::vector<IfdEntry> ifd0, exif;
    if (!description.empty()) ifd0.push_back(asciiEntry(0x010E, description));
    if (!software.empty()) ifd0.push_back(asciiEntry(0x0131, software));
    if (!userComment.empty()) {
        exif.push_back({0x9000, 7, {'0', '2', '3', '2'}}); // ExifVersion
        IfdEntry comment{0x9286, 7, {'U', 'N', 'I', 'C', 'O', 'D', 'E', 0}};
        for (const char16_t u : utf8ToUtf16(userComment))
            putU16(comment.data, static_cast<uint16_t>(u));
        exif.push_back(std::move(comment));
    }
    if (ifd0.empty() && exif.empty()) return {};
    if (!exif.empty()) ifd0.push_back({0x8769, 4, {0, 0, 0, 0}}); // ExifIFD pointer, filled in below
    std::vector<uint8_t> out{'M', 'M', 0, 42, 0, 0, 0, 8};
    if (!exif.empty()) {
        const auto exifAt = static_cast<uint32_t>(8 + ifdSize(ifd0));
        ifd0.back().data = {static_cast<uint8_t>(exifAt >> 24), static_cast<uint8_t>(exifAt >> 16),
                            static_cast<uint8_t>(exifAt >> 8), static_cast<uint8_t>(exifAt)};
    }
    writeIfd(out, ifd0);
    if (!exif.empty()) writeIfd(out, exif);
    return out;
}

} // namespace lumina::image
