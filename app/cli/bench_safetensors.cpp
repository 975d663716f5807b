// `lumina-cli bench --component safetensors --file F [--generate-gb N] [--repeat R] [--mode copy|mapped]`:
// reads every tensor of a safetensors file (or sharded index) into CPU tensors and reports GB/s.
// copy: materialized tensors that own their memory (what safetensors.torch.load_file returns);
// mapped: zero-copy tensors over the mapping with every page touched (what module loading starts from);
// pread: owning tensors filled with pread(2) from the file, bypassing the mapping (a comparison point).
#include "app/cli/bench.h"
#include "core/io/weight_set.h"
#include "core/util/errors.h"

#include <chrono>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

namespace lumina::cli {
namespace {

// A file of `gb` GB of random BF16/F32 tensors of checkpoint-like sizes (a few large, many small).
void generateFile(const std::filesystem::path& path, double gb) {
    const uint64_t target = static_cast<uint64_t>(gb * 1e9);
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    uint64_t offset = 0;
    for (int i = 0; offset < target; ++i) {
        const bool big = i % 4 == 0;
        const int64_t rows = big ? 2304 * 4 : 2304, cols = big ? 2304 : (i % 4 == 1 ? 1 : 2304);
        const bool f32 = i % 4 == 1;
        const uint64_t bytes = static_cast<uint64_t>(rows * cols) * (f32 ? 4 : 2);
        header[fmt::format("layers.{}.w{}", i / 4, i % 4)] = {{"dtype", f32 ? "F32" : "BF16"},
                                                              {"shape", {rows, cols}},
                                                              {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8)
        text += ' ';
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError(fmt::format("{}: cannot write", path.string()));
    uint64_t len = text.size();
    out.write(reinterpret_cast<const char*>(&len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    std::vector<uint64_t> chunk(1 << 20);
    std::mt19937_64 rng(42);
    for (uint64_t written = 0; written < offset;) {
        for (auto& v : chunk)
            v = rng();
        const uint64_t n = std::min<uint64_t>(offset - written, chunk.size() * 8);
        out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(n));
        written += n;
    }
    if (!out) throw IoError(fmt::format("{}: write failed (disk full?)", path.string()));
}

uint64_t dataOffset(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    uint64_t len = 0;
    in.read(reinterpret_cast<char*>(&len), 8);
    return 8 + len;
}

void readAt(const std::filesystem::path& path, uint8_t* dst, uint64_t size, uint64_t offset) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(fmt::format("{}: cannot open", path.string()));
    for (uint64_t done = 0; done < size;) {
        const auto n = ::pread(fd, dst + done, size - done, static_cast<off_t>(offset + done));
        if (n <= 0) {
            ::close(fd);
            throw IoError(fmt::format("{}: read failed", path.string()));
        }
        done += static_cast<uint64_t>(n);
    }
    ::close(fd);
}

uint64_t peakRssBytes() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<uint64_t>(u.ru_maxrss) * 1024;
}

nlohmann::json run(const Arguments& args) {
    const std::filesystem::path file = args.required("file");
    if (auto gb = args.value("generate-gb")) generateFile(file, args.doubleValue("generate-gb", 4.0));
    const auto repeat = args.intValue("repeat", 3);
    const auto mode = args.choice("mode", {"copy", "mapped", "pread"}, "copy");
    if (repeat < 1) throw UsageError("--repeat must be at least 1");

    std::vector<double> times;
    uint64_t bytes = 0, tensors = 0, checksum = 0;
    for (int64_t r = 0; r < repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        // Open inside the timed region: header parsing and mapping are part of loading.
        const auto weights = io::WeightSet::open(file);
        std::vector<at::Tensor> loaded;
        loaded.reserve(weights.entries().size());
        bytes = tensors = 0;
        for (const auto& [name, entry] : weights.entries()) {
            at::Tensor t;
            if (mode == "pread") {
                t = torch::empty(entry.info->shape,
                                 torch::TensorOptions().dtype(io::scalarType(entry.info->dtype)));
                readAt(entry.file->path(), static_cast<uint8_t*>(t.data_ptr()), entry.info->byteSize(),
                       dataOffset(entry.file->path()) + entry.info->begin);
                bytes += t.nbytes();
                ++tensors;
                loaded.push_back(std::move(t));
                continue;
            }
            t = entry.file->tensor(*entry.info);
            if (mode == "copy") {
                t = t.clone();
            } else {
                const auto* p = static_cast<const volatile uint8_t*>(t.data_ptr());
                for (uint64_t i = 0; i < t.nbytes(); i += 4096)
                    checksum += p[i];
            }
            bytes += t.nbytes();
            ++tensors;
            loaded.push_back(std::move(t));
        }
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const double best = *std::min_element(times.begin(), times.end());
    return {{"component", "safetensors"},
            {"file", file.string()},
            {"mode", mode},
            {"bytes", bytes},
            {"tensors", tensors},
            {"seconds", times},
            {"seconds_per_step", best},
            {"gb_per_s", static_cast<double>(bytes) / best / 1e9},
            {"peak_memory_bytes", peakRssBytes()},
            {"device", "cpu"},
            {"dtype", "stored"},
            {"threads", at::get_num_threads()},
            {"checksum", checksum}};
}

const BenchRegistration registration{
    {"safetensors",
     {"file", "generate-gb", "repeat", "mode"},
     {},
     "--component safetensors --file F [--generate-gb N] [--repeat R] [--mode copy|mapped|pread]\n"
     "  reads every tensor of F into CPU tensors (copy: owning copies like safetensors.torch.load_file;\n"
     "  mapped: zero-copy, every page touched; pread: owning tensors read with pread(2));\n"
     "  --generate-gb first writes N GB of random tensors to F\n",
     run}};

} // namespace
} // namespace lumina::cli
