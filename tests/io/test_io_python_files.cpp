// Files written by Python's `safetensors` (and huggingface_hub's sharding) read back bit-exactly by the
// C++ reader, for every dtype, through the single-file and the sharded index paths.
//
// Mutation tried: BF16 tensors handed out as torch Float16 (same bytes, other values): both tests failed on
// the value sums (the byte comparison alone had let it pass).
#include "core/io/json_file.h"
#include "core/io/weight_set.h"

#include <QtTest>
#include <set>
#include <torch/torch.h>

using namespace lumina;
namespace fs = std::filesystem;

namespace {

fs::path fixtures() {
    return fs::path(qEnvironmentVariable("LUMINA_FIXTURES_DIR").toStdString()) / "io_safetensors";
}

std::string hexOf(const at::Tensor& t) {
    static const char* digits = "0123456789abcdef";
    auto c = t.contiguous();
    const auto* p = static_cast<const uint8_t*>(c.data_ptr());
    std::string s;
    for (std::size_t i = 0; i < c.nbytes(); ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

void compareAll(const io::WeightSet& set, const nlohmann::json& expected) {
    QCOMPARE(set.entries().size(), expected.size());
    for (const auto& [name, e] : expected.items()) {
        const auto* entry = set.find(name);
        QVERIFY2(entry, name.c_str());
        QCOMPARE(io::dtypeName(entry->info->dtype), e["dtype"].get<std::string>());
        QCOMPARE(entry->info->shape, e["shape"].get<std::vector<int64_t>>());
        const auto t = entry->file->tensor(*entry->info);
        QCOMPARE(t.scalar_type(), io::scalarType(entry->info->dtype));
        QCOMPARE(t.sizes().vec(), e["shape"].get<std::vector<int64_t>>());
        QVERIFY2(hexOf(t) == e["hex"].get<std::string>(), name.c_str());
        // The bytes are read as the right element type: the values torch sees.
        const double sum = t.to(torch::kDouble).nan_to_num(0.0, 0.0, 0.0).sum().item<double>();
        const double want = e["finite_sum"].get<double>();
        QVERIFY2(
            std::abs(sum - want) <= 1e-9 * std::max(1.0, std::abs(want)),
            qPrintable(QString("%1: values sum to %2, expected %3").arg(name.c_str()).arg(sum).arg(want)));
    }
}

} // namespace

class TestIoPythonFiles : public QObject {
    Q_OBJECT
    nlohmann::json m_expected;

private slots:
    void initTestCase() { m_expected = io::readJsonObject(fixtures() / "expected.json"); }
    void everyDTypeFromPython() {
        const auto set = io::WeightSet::open(fixtures() / "dtypes.safetensors");
        QCOMPARE(set.files().front()->metadata().at("writer"), std::string("python"));
        compareAll(set, m_expected["dtypes.safetensors"]); // every dtype, a scalar and an empty tensor
    }
    void shardedFromHuggingFaceHub() {
        const auto set = io::WeightSet::openFolder(fixtures() / "sharded");
        compareAll(set, m_expected["sharded"]);
        const auto index = io::readJsonObject(fixtures() / "sharded" / "model.safetensors.index.json");
        std::set<std::string> shards; // the files huggingface_hub's index names
        for (const auto& [tensor, file] : index["weight_map"].items())
            shards.insert(file.get<std::string>());
        QVERIFY(shards.size() >= 2);
        QCOMPARE(set.files().size(), shards.size());
        QCOMPARE(set.totalBytes(), index["metadata"]["total_size"].get<uint64_t>());
    }
};

QTEST_GUILESS_MAIN(TestIoPythonFiles)
#include "test_io_python_files.moc"
