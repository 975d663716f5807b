#include "core/io/safetensors_header.h"

#include "core/util/errors.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace lumina::io {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    throw ModelLoadError(fmt::format("{}: not a valid safetensors file: {}", file, what));
}

uint64_t readLittleEndian64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// Reads a JSON number as an unsigned 64-bit integer, refusing floats, negatives and overflow.
bool toUnsigned(const json& v, uint64_t& out) {
    if (v.is_number_unsigned()) {
        out = v.get<uint64_t>();
        return true;
    }
    if (v.is_number_integer()) {
        const auto s = v.get<int64_t>();
        if (s < 0) return false;
        out = static_cast<uint64_t>(s);
        return true;
    }
    return false;
}

TensorInfo parseTensorEntry(const std::string& file, const std::string& name, const json& entry,
                            uint64_t dataSize) {
    const std::string where = fmt::format("tensor '{}'", name);
    if (!entry.is_object()) fail(file, where + " is not a JSON object");
    TensorInfo info;
    info.name = name;

    auto dt = entry.find("dtype");
    if (dt == entry.end() || !dt->is_string()) fail(file, where + " has no string 'dtype'");
    auto parsed = parseDType(dt->get<std::string>());
    if (!parsed) fail(file, fmt::format("{} has unknown dtype '{}'", where, dt->get<std::string>()));
    info.dtype = *parsed;

    auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array()) fail(file, where + " has no array 'shape'");
    uint64_t numel = 1;
    for (const auto& d : *shape) {
        uint64_t dim = 0;
        if (!toUnsigned(d, dim))
            fail(file, fmt::format("{} has a negative or non-integer dimension {}", where, d.dump()));
        if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            fail(file, fmt::format("{} has a dimension too large: {}", where, dim));
        if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim)
            fail(file, where + " has a shape whose element count overflows");
        numel *= dim;
        info.shape.push_back(static_cast<int64_t>(dim));
    }
    const uint64_t elem = dtypeSize(info.dtype);
    if (numel > std::numeric_limits<uint64_t>::max() / elem)
        fail(file, where + " has a byte size that overflows");

    auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2)
        fail(file, where + " has no 'data_offsets' pair");
    if (!toUnsigned((*offsets)[0], info.begin) || !toUnsigned((*offsets)[1], info.end))
        fail(file, where + " has negative or non-integer data_offsets");
    if (info.begin > info.end)
        fail(file,
             fmt::format("{} has data_offsets out of order: begin {} > end {}", where, info.begin, info.end));
    if (info.end > dataSize)
        fail(file,
             fmt::format("{} ends at byte {} of the data section, which has only {} bytes (truncated file?)",
                         where, info.end, dataSize));
    if (info.end - info.begin != numel * elem)
        fail(file, fmt::format("{}: shape {} x {} needs {} bytes but data_offsets span {} bytes", where,
                               shape->dump(), dtypeName(info.dtype), numel * elem, info.end - info.begin));
    for (const auto& [key, _] : entry.items())
        if (key != "dtype" && key != "shape" && key != "data_offsets")
            fail(file, fmt::format("{} has an unexpected field '{}'", where, key));
    return info;
}

} // namespace

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

SafetensorsHeader parseSafetensorsHeader(const uint8_t* bytes, uint64_t size, const std::string& file) {
    if (size == 0) fail(file, "the file is empty");
    if (size < 8)
        fail(file, fmt::format("the file has only {} bytes, less than the 8-byte header length", size));
    const uint64_t headerLength = readLittleEndian64(bytes);
    if (headerLength > kMaxHeaderBytes)
        fail(file, fmt::format("the header length is {} bytes, more than the {} MB limit (corrupt or not "
                               "safetensors)",
                               headerLength, kMaxHeaderBytes / (1024 * 1024)));
    if (headerLength > size - 8)
        fail(file,
             fmt::format("the header length {} is larger than the file ({} bytes)", headerLength, size));
    if (headerLength < 2) fail(file, "the JSON header is empty");

    SafetensorsHeader header;
    header.dataOffset = 8 + headerLength;
    header.dataSize = size - header.dataOffset;

    // nlohmann keeps the last of duplicate keys silently, so duplicates are caught while parsing, in every
    // object: a second "a" tensor or a second "dtype" inside one entry would otherwise pass unnoticed.
    std::vector<std::set<std::string>> openObjects;
    std::string duplicate, nestedDuplicate;
    auto watchDuplicates = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start)
            openObjects.emplace_back();
        else if (event == json::parse_event_t::object_end && !openObjects.empty())
            openObjects.pop_back();
        else if (event == json::parse_event_t::key && !openObjects.empty()) {
            auto key = parsed.get<std::string>();
            if (!openObjects.back().insert(key).second) {
                if (depth == 1 && duplicate.empty()) duplicate = key;
                if (depth > 1 && nestedDuplicate.empty()) nestedDuplicate = key;
            }
        }
        return true;
    };
    json root;
    try {
        const char* begin = reinterpret_cast<const char*>(bytes + 8);
        root = json::parse(begin, begin + headerLength, watchDuplicates);
    } catch (const json::exception& e) {
        fail(file, fmt::format("the header is not valid JSON ({})", e.what()));
    }
    if (!root.is_object()) fail(file, "the JSON header is not an object");
    if (!duplicate.empty()) fail(file, fmt::format("the header names tensor '{}' twice", duplicate));
    if (!nestedDuplicate.empty())
        fail(file, fmt::format("the header has key '{}' twice in one entry", nestedDuplicate));

    for (const auto& [key, value] : root.items()) {
        if (key == "__metadata__") {
            if (!value.is_object()) fail(file, "__metadata__ is not an object");
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string()) fail(file, fmt::format("__metadata__ value '{}' is not a string", mk));
                header.metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        header.tensors.push_back(parseTensorEntry(file, key, value, header.dataSize));
    }

    std::sort(header.tensors.begin(), header.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t expected = 0;
    for (const auto& t : header.tensors) {
        if (t.begin < expected)
            fail(file, fmt::format("tensor '{}' (bytes {}..{}) overlaps the tensor before it", t.name,
                                   t.begin, t.end));
        if (t.begin > expected)
            fail(file,
                 fmt::format("there is a gap of {} bytes before tensor '{}'", t.begin - expected, t.name));
        expected = t.end;
    }
    if (expected != header.dataSize)
        fail(file, fmt::format("the tensors cover {} bytes but the data section has {} bytes", expected,
                               header.dataSize));
    return header;
}

} // namespace lumina::io
