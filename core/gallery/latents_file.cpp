#include "core/gallery/latents_file.h"

#include "core/util/errors.h"

#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace lumina::gallery {
namespace fs = std::filesystem;

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian");

constexpr uint64_t kMaxHeaderBytes = uint64_t{1} << 20;

uint64_t elementCount(const std::vector<int64_t>& shape) {
    uint64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0 || (d > 0 && n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d))) return 0;
        n *= static_cast<uint64_t>(d);
    }
    return n;
}

} // namespace

void writeKeptLatents(const fs::path& file, const KeptLatents& latents) {
    if (latents.shape.size() != 4 || elementCount(latents.shape) != latents.values.size())
        throw InvalidRequest(fmt::format("latents for {}: the shape does not match {} values", file.string(),
                                         latents.values.size()));
    nlohmann::json header;
    header["latents"] = {{"dtype", "F32"},
                         {"shape", latents.shape},
                         {"data_offsets", {0, latents.values.size() * sizeof(float)}}};
    nlohmann::json metadata = nlohmann::json::object();
    for (const auto& [k, v] : latents.metadata)
        metadata[k] = v;
    header["__metadata__"] = metadata;
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' '); // the data starts 8-byte aligned
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec)
        throw IoError(
            fmt::format("cannot create the folder {}: {}", file.parent_path().string(), ec.message()));
    const fs::path temporary =
        file.parent_path() / fmt::format(".{}.tmp-{}", file.filename().string(), std::random_device{}());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        const uint64_t headerSize = text.size();
        out.write(reinterpret_cast<const char*>(&headerSize), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.write(reinterpret_cast<const char*>(latents.values.data()),
                  static_cast<std::streamsize>(latents.values.size() * sizeof(float)));
        out.flush();
        if (!out) {
            fs::remove(temporary, ec);
            throw IoError(fmt::format("cannot write {} (is the disk full?)", file.string()));
        }
    }
    fs::rename(temporary, file, ec);
    if (ec) {
        fs::remove(temporary, ec);
        throw IoError(fmt::format("cannot write {}: {}", file.string(), ec.message()));
    }
}

KeptLatents readKeptLatents(const fs::path& file) {
    auto fail = [&](const std::string& what) {
        return IoError(fmt::format("latents file {}: {}", file.string(), what));
    };
    std::ifstream in(file, std::ios::binary);
    if (!in) throw fail("cannot be opened");
    in.seekg(0, std::ios::end);
    const auto size = static_cast<uint64_t>(in.tellg());
    in.seekg(0);
    uint64_t headerSize = 0;
    if (size < 8 || !in.read(reinterpret_cast<char*>(&headerSize), 8))
        throw fail("cut short before its header");
    if (headerSize > kMaxHeaderBytes || headerSize > size - 8) throw fail("the header size is out of range");
    std::string text(headerSize, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(headerSize)))
        throw fail("cut short in its header");
    const auto header = nlohmann::json::parse(text, nullptr, false);
    if (header.is_discarded() || !header.is_object()) throw fail("the header is not a JSON object");
    const auto entry = header.find("latents");
    if (entry == header.end() || !entry->is_object()) throw fail("has no tensor named 'latents'");
    KeptLatents out;
    try {
        if (entry->at("dtype").get<std::string>() != "F32") throw fail("'latents' is not float32");
        out.shape = entry->at("shape").get<std::vector<int64_t>>();
        const auto offsets = entry->at("data_offsets").get<std::vector<uint64_t>>();
        const uint64_t count = elementCount(out.shape);
        if (out.shape.size() != 4 || count == 0)
            throw fail("'latents' is not a non-empty [1, C, h, w] tensor");
        if (offsets.size() != 2 || offsets[1] < offsets[0] ||
            offsets[1] - offsets[0] != count * sizeof(float) || offsets[1] > size - 8 - headerSize)
            throw fail("the data offsets do not match the shape or the file size");
        out.values.resize(count);
        in.seekg(static_cast<std::streamoff>(8 + headerSize + offsets[0]));
        if (!in.read(reinterpret_cast<char*>(out.values.data()),
                     static_cast<std::streamsize>(count * sizeof(float))))
            throw fail("cut short in its data");
        if (auto meta = header.find("__metadata__"); meta != header.end() && meta->is_object())
            for (const auto& [k, v] : meta->items())
                if (v.is_string()) out.metadata[k] = v.get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        throw fail(fmt::format("the header is malformed ({})", e.what()));
    }
    return out;
}

} // namespace lumina::gallery
