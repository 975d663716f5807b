// Strict loading of weights into a torch::nn::Module: every key and shape checked, all problems in one
// error by name, dtype converted once, progress reported monotonically up to the total.
#include "core/io/module_loader.h"
#include "core/util/errors.h"
#include "io/io_safetensors_writer.h"
#include "support/error_of.h"

#include <QTemporaryDir>
#include <QtTest>
#include <torch/torch.h>

using namespace lumina;
using namespace lumina::test;
namespace fs = std::filesystem;

namespace {

// A tiny model registered under checkpoint-style names: "proj.weight", "blocks.0.norm.weight", "scale".
struct Norm : torch::nn::Module {
    Norm() { weight = register_parameter("weight", torch::empty({4})); }
    torch::Tensor weight;
};
struct Block : torch::nn::Module {
    Block() {
        register_module("norm", std::make_shared<Norm>());
        register_buffer("steps", torch::empty({2}, torch::kInt64));
    }
};
struct TinyModel : torch::nn::Module {
    TinyModel() {
        proj = register_module("proj", torch::nn::Linear(4, 3));
        blocks = register_module("blocks", torch::nn::ModuleList());
        blocks->push_back(std::make_shared<Block>());
        blocks->push_back(std::make_shared<Block>());
        scale = register_parameter("scale", torch::empty({}));
    }
    torch::nn::Linear proj{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    torch::Tensor scale;
};

std::vector<uint8_t> floatBytes(const std::vector<float>& v) {
    std::vector<uint8_t> b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    return b;
}
std::vector<uint8_t> bf16Bytes(const std::vector<float>& v) {
    auto t = torch::tensor(v).to(torch::kBFloat16);
    const auto* p = static_cast<const uint8_t*>(t.data_ptr());
    return {p, p + t.nbytes()};
}
std::vector<float> seq(int n, float start) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i)
        v[i] = start + 0.25f * static_cast<float>(i);
    return v;
}
std::vector<uint8_t> int64Bytes(std::vector<int64_t> v) {
    std::vector<uint8_t> b(v.size() * 8);
    std::memcpy(b.data(), v.data(), b.size());
    return b;
}

// The complete, matching checkpoint for TinyModel (weights stored as BF16 like real checkpoints).
std::vector<RawTensor> tinyCheckpoint() {
    return {{"proj.weight", "BF16", {3, 4}, bf16Bytes(seq(12, -1.0f))},
            {"proj.bias", "BF16", {3}, bf16Bytes(seq(3, 0.5f))},
            {"blocks.0.norm.weight", "F32", {4}, floatBytes(seq(4, 1.0f))},
            {"blocks.1.norm.weight", "F32", {4}, floatBytes(seq(4, 2.0f))},
            {"blocks.0.steps", "I64", {2}, int64Bytes({7, 8})},
            {"blocks.1.steps", "I64", {2}, int64Bytes({9, 10})},
            {"scale", "F32", {}, floatBytes({3.5f})}};
}

// The same tensors laid out as safetensors' writer does, the widest dtype first, so every tensor is aligned
// for its type.
std::vector<RawTensor> alignedCheckpoint() {
    auto tensors = tinyCheckpoint();
    std::stable_sort(tensors.begin(), tensors.end(), [](const RawTensor& a, const RawTensor& b) {
        auto width = [](const std::string& dtype) { return dtype == "I64" ? 8 : dtype == "F32" ? 4 : 2; };
        return width(a.dtype) > width(b.dtype);
    });
    return tensors;
}

} // namespace

class TestIoModuleLoader : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    io::WeightSet weights(const std::string& name, const std::vector<RawTensor>& tensors) {
        const auto file = fs::path(m_dir.path().toStdString()) / (name + ".safetensors");
        writeFile(file, safetensorsBytes(tensors));
        return io::WeightSet::open(file);
    }

private slots:
    void loadsEveryKeyAndConvertsOnce() {
        TinyModel model;
        const auto w = weights("ok", tinyCheckpoint());
        io::LoadOptions options;
        options.dtype = torch::kFloat32;
        const auto report = io::loadModuleWeights(model, w, options);
        QCOMPARE(report.tensorsLoaded, std::size_t(7));
        QCOMPARE(report.bytesRead, w.totalBytes());
        QCOMPARE(model.proj->weight.scalar_type(), torch::kFloat32);
        QVERIFY(torch::equal(
            model.proj->weight,
            torch::tensor(seq(12, -1.0f)).to(torch::kBFloat16).to(torch::kFloat32).reshape({3, 4})));
        QVERIFY(torch::equal(model.proj->bias, torch::tensor(seq(3, 0.5f))));
        QVERIFY(torch::equal(model.named_parameters()["blocks.1.norm.weight"], torch::tensor(seq(4, 2.0f))));
        QCOMPARE(model.scale.item<float>(), 3.5f);
        // Integer buffers keep their integer type even when a float dtype is requested.
        const auto steps = model.named_buffers()["blocks.1.steps"];
        QCOMPARE(steps.scalar_type(), torch::kInt64);
        QCOMPARE(steps[1].item<int64_t>(), int64_t(10));
        // The loaded tensors are still the module's parameters.
        QVERIFY(model.proj->weight.data_ptr() == model.named_parameters()["proj.weight"].data_ptr());
    }
    void cpuTensorsInTheirStoredDtypeAreMappedNotCopied() {
        const auto file = fs::path(m_dir.path().toStdString()) / "mapped.safetensors";
        writeFile(file, safetensorsBytes(alignedCheckpoint()));
        const auto original = readFile(file);
        TinyModel model;
        {
            const auto w = io::WeightSet::open(file);
            io::LoadOptions options;
            options.dtype = torch::kFloat32;
            const auto report = io::loadModuleWeights(model, w, options);
            // F32 norms and scale (4 + 4 + 1 floats) and the I64 buffers (2 + 2) are used in place; the BF16
            // projection is converted.
            QCOMPARE(report.bytesMapped, uint64_t(9 * 4 + 4 * 8));
            QCOMPARE(report.bytesRead, w.totalBytes());
            const auto* entry = w.find("blocks.1.norm.weight");
            QVERIFY(model.named_parameters()["blocks.1.norm.weight"].data_ptr() ==
                    static_cast<const void*>(entry->file->bytes(*entry->info)));
            const auto* proj = w.find("proj.weight");
            QVERIFY(model.proj->weight.data_ptr() !=
                    static_cast<const void*>(proj->file->bytes(*proj->info)));
        }
        // The mapping outlives the WeightSet as long as a parameter uses it.
        QVERIFY(torch::equal(model.named_parameters()["blocks.1.norm.weight"], torch::tensor(seq(4, 2.0f))));
        QCOMPARE(model.named_buffers()["blocks.0.steps"][1].item<int64_t>(), int64_t(8));
        // Writing a mapped parameter changes the model only: the pages are private copy-on-write.
        {
            torch::NoGradGuard noGrad;
            model.scale.mul_(2);
            model.named_parameters()["blocks.0.norm.weight"].zero_();
        }
        QCOMPARE(model.scale.item<float>(), 7.0f);
        QCOMPARE(readFile(file), original);
        // A second load of the same file sees the file's values, not the first model's writes.
        TinyModel second;
        io::LoadOptions options;
        options.dtype = torch::kFloat32;
        io::loadModuleWeights(second, io::WeightSet::open(file), options);
        QCOMPARE(second.scale.item<float>(), 3.5f);
    }
    void unalignedTensorsAreCopied() {
        // tinyCheckpoint's order puts the F32 and I64 tensors after 30 bytes of BF16: not aligned for their
        // types, so none can be a view of the mapping.
        TinyModel model;
        const auto w = weights("unaligned", tinyCheckpoint());
        io::LoadOptions options;
        options.dtype = torch::kFloat32;
        QCOMPARE(io::loadModuleWeights(model, w, options).bytesMapped, uint64_t(0));
        QVERIFY(torch::equal(model.named_parameters()["blocks.1.norm.weight"], torch::tensor(seq(4, 2.0f))));
    }
    void mappedPagesCanBeTurnedOff() {
        TinyModel model;
        const auto w = weights("copied", alignedCheckpoint());
        io::LoadOptions options;
        options.dtype = torch::kFloat32;
        options.useMappedPages = false;
        const auto report = io::loadModuleWeights(model, w, options);
        QCOMPARE(report.bytesMapped, uint64_t(0));
        const auto* entry = w.find("scale");
        QVERIFY(model.scale.data_ptr() != static_cast<const void*>(entry->file->bytes(*entry->info)));
        QCOMPARE(model.scale.item<float>(), 3.5f);
    }
    void keepsModuleDTypeWithoutOption() {
        TinyModel model;
        model.to(torch::kFloat16);
        io::loadModuleWeights(model, weights("keep", tinyCheckpoint()), {});
        QCOMPARE(model.proj->weight.scalar_type(), torch::kFloat16);
        QCOMPARE(model.named_parameters()["blocks.0.norm.weight"].scalar_type(), torch::kFloat16);
        QVERIFY(torch::allclose(model.proj->bias.to(torch::kFloat32), torch::tensor(seq(3, 0.5f))));
    }
    void convertsToBFloat16() {
        TinyModel model;
        io::LoadOptions options;
        options.dtype = torch::kBFloat16;
        io::loadModuleWeights(model, weights("bf16", tinyCheckpoint()), options);
        QCOMPARE(model.named_parameters()["blocks.0.norm.weight"].scalar_type(), torch::kBFloat16);
        QCOMPARE(model.scale.scalar_type(), torch::kBFloat16);
    }
    void reportsAllProblemsInOneError() {
        auto tensors = tinyCheckpoint();
        tensors.erase(tensors.begin() + 2); // blocks.0.norm.weight missing
        tensors.erase(tensors.end() - 1);   // scale missing
        tensors.push_back({"blocks.2.norm.weight", "F32", {4}, floatBytes(seq(4, 0))}); // unexpected
        tensors.push_back({"extra", "F32", {1}, floatBytes({1})});                      // unexpected
        tensors[0] = {"proj.weight", "BF16", {4, 3}, bf16Bytes(seq(12, 0))};            // mis-shaped
        TinyModel model;
        const auto w = weights("bad", tensors);
        io::LoadOptions options;
        options.componentLabel = "tiny";
        const auto msg = loadErrorOf([&] { io::loadModuleWeights(model, w, options); });
        for (const char* part : {"tiny (", "bad.safetensors", "2 missing key(s): blocks.0.norm.weight, scale",
                                 "2 unexpected key(s): blocks.2.norm.weight, extra",
                                 "1 mis-shaped key(s): proj.weight: checkpoint [4, 3] vs model [3, 4]"})
            QVERIFY2(msg.contains(part), qPrintable(QString("missing '%1' in: %2").arg(part, msg)));
        // checkModuleWeights finds the same problems without loading.
        QCOMPARE(loadErrorOf([&] { io::checkModuleWeights(model, w, options); }), msg);
        // Nothing was loaded: the parameters are untouched.
        QCOMPARE(model.proj->weight.sizes().vec(), std::vector<int64_t>({3, 4}));
    }
    void renameAndOptionalKeys() {
        auto tensors = tinyCheckpoint();
        tensors.erase(tensors.end() - 1); // scale: filled by the model itself
        for (auto& t : tensors)
            t.name = "model." + t.name;
        tensors.push_back({"lm_head.weight", "F32", {1}, floatBytes({1})});
        TinyModel model;
        io::LoadOptions options;
        options.rename = [](const std::string& k) {
            return k.rfind("model.", 0) == 0 ? k.substr(6) : std::string();
        };
        options.optionalKey = [](const std::string& k) { return k == "scale"; };
        const auto report = io::loadModuleWeights(model, weights("renamed", tensors), options);
        QCOMPARE(report.tensorsLoaded, std::size_t(6));
        QCOMPARE(report.ignoredKeys, std::vector<std::string>{"lm_head.weight"});
        QVERIFY(torch::equal(model.proj->bias, torch::tensor(seq(3, 0.5f))));
    }
    void keyFilledTwiceIsAnError() {
        auto tensors = tinyCheckpoint();
        tensors.push_back({"alias.scale", "F32", {}, floatBytes({1})});
        TinyModel model;
        io::LoadOptions options;
        options.rename = [](const std::string& k) { return k == "alias.scale" ? std::string("scale") : k; };
        const auto msg =
            loadErrorOf([&] { io::loadModuleWeights(model, weights("twice", tensors), options); });
        QVERIFY2(msg.contains("scale (filled twice)"), qPrintable(msg));
    }
    // Mutation tried: shapeFits accepting any extra dimension (d >= 1 instead of d == 1): the [3, 4, 2] row
    // passed the checks and the load threw an unhandled view error instead of the mis-shaped key report.
    void trailingUnitDimsOnlyWhenAllowed() {
        auto tensors = tinyCheckpoint();
        tensors[0] = {"proj.weight", "F32", {3, 4, 1, 1}, floatBytes(seq(12, -1.0f))};
        const auto w = weights("conv1x1", tensors);
        {
            TinyModel model;
            const auto msg = loadErrorOf([&] { io::loadModuleWeights(model, w, {}); });
            QVERIFY2(msg.contains("proj.weight: checkpoint [3, 4, 1, 1] vs model [3, 4]"), qPrintable(msg));
        }
        TinyModel model;
        io::LoadOptions options;
        options.acceptTrailingUnitDims = true;
        io::checkModuleWeights(model, w, options);
        const auto report = io::loadModuleWeights(model, w, options);
        QCOMPARE(report.tensorsLoaded, std::size_t(7));
        QCOMPARE(model.proj->weight.sizes().vec(), std::vector<int64_t>({3, 4}));
        QVERIFY(torch::equal(model.proj->weight, torch::tensor(seq(12, -1.0f)).reshape({3, 4})));
        // Still used in place from the mapping: the view changes the shape, not the storage.
        const auto* entry = w.find("proj.weight");
        QVERIFY(model.proj->weight.data_ptr() == static_cast<const void*>(entry->file->bytes(*entry->info)));
        // Extra dimensions that are not 1, or a different leading shape, stay errors.
        for (const std::vector<int64_t>& shape :
             {std::vector<int64_t>{3, 4, 2}, std::vector<int64_t>{4, 3, 1, 1}, std::vector<int64_t>{3, 1}}) {
            auto bad = tinyCheckpoint();
            int64_t n = 1;
            for (auto d : shape)
                n *= d;
            bad[0] = {"proj.weight", "F32", shape, floatBytes(seq(static_cast<int>(n), 0.0f))};
            TinyModel m;
            const auto msg = loadErrorOf([&] { io::loadModuleWeights(m, weights("badconv", bad), options); });
            QVERIFY2(msg.contains("1 mis-shaped key(s): proj.weight"), qPrintable(msg));
        }
    }
    // Mutation tried: each row part cloned instead of narrowed (io::loadModuleWeights): the views check
    // failed.
    void splitRowsFillsPartsAsViews() {
        const std::vector<RawTensor> tensors{{"blocks.0.steps", "I64", {2}, int64Bytes({7, 8})},
                                             {"blocks.1.steps", "I64", {2}, int64Bytes({9, 10})},
                                             {"norms", "F32", {8}, floatBytes(seq(8, 1.0f))},
                                             {"scale", "F32", {}, floatBytes({3.5f})},
                                             {"proj.weight", "BF16", {3, 4}, bf16Bytes(seq(12, -1.0f))},
                                             {"proj.bias", "BF16", {3}, bf16Bytes(seq(3, 0.5f))}};
        const auto w = weights("fused", tensors);
        io::LoadOptions options;
        options.splitRows = [](const std::string& key) {
            return key == "norms" ? std::vector<std::string>{"blocks.0.norm.weight", "blocks.1.norm.weight"}
                                  : std::vector<std::string>{};
        };
        {
            TinyModel model;
            const auto msg = loadErrorOf([&] { io::loadModuleWeights(model, w, {}); });
            QVERIFY2(msg.contains("unexpected key(s): norms"), qPrintable(msg));
        }
        TinyModel model;
        const auto report = io::loadModuleWeights(model, w, options);
        QCOMPARE(report.tensorsLoaded, std::size_t(7));
        QCOMPARE(report.bytesRead, w.totalBytes());
        const auto params = model.named_parameters(true);
        const auto first = params["blocks.0.norm.weight"], second = params["blocks.1.norm.weight"];
        QVERIFY(torch::equal(first, torch::tensor(seq(4, 1.0f))));
        QVERIFY(torch::equal(second, torch::tensor(seq(4, 2.0f))));
        // Row views of the mapped file, not copies.
        const auto* entry = w.find("norms");
        const auto* bytes = entry->file->bytes(*entry->info);
        QVERIFY(first.data_ptr() == static_cast<const void*>(bytes));
        QVERIFY(second.data_ptr() == static_cast<const void*>(bytes + 16));

        // Rows that do not add up, and a part the model lacks, are reported by name.
        auto shortRows = tensors;
        shortRows[2] = {"norms", "F32", {7}, floatBytes(seq(7, 1.0f))};
        TinyModel m1;
        auto msg = loadErrorOf([&] { io::loadModuleWeights(m1, weights("short", shortRows), options); });
        QVERIFY2(msg.contains("norms: checkpoint [7] vs model parts [4] + [4] stacked by rows"),
                 qPrintable(msg));
        auto unknownPart = options;
        unknownPart.splitRows = [](const std::string& key) {
            return key == "norms" ? std::vector<std::string>{"blocks.0.norm.weight", "blocks.2.norm.weight"}
                                  : std::vector<std::string>{};
        };
        TinyModel m2;
        msg = loadErrorOf([&] { io::checkModuleWeights(m2, w, unknownPart); });
        QVERIFY2(msg.contains("norms (part blocks.2.norm.weight)"), qPrintable(msg));
    }
    void progressIsMonotonicUpToTotal() {
        TinyModel model;
        const auto w = weights("progress", tinyCheckpoint());
        std::vector<std::pair<uint64_t, uint64_t>> calls;
        io::LoadOptions options;
        options.progress = [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
        io::loadModuleWeights(model, w, options);
        QCOMPARE(calls.size(), std::size_t(7));
        for (std::size_t i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls[i].second, w.totalBytes());
            QVERIFY(calls[i].first <= calls[i].second);
            if (i > 0) QVERIFY(calls[i].first > calls[i - 1].first);
        }
        QCOMPARE(calls.back().first, w.totalBytes());
    }
};

QTEST_GUILESS_MAIN(TestIoModuleLoader)
#include "test_io_module_loader.moc"
