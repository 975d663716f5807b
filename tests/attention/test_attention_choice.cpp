// The attention kernel chosen by measurement (core/models/common/attention_choice.h), exercised on the CPU,
// whose two kernels (math and the fused flash kernel) the same code measures: timings for each kernel that
// can serve the probe, the cache file (written once, read back, rebuilt when broken), the kernel LibTorch
// then picks, and Auto on the CPU staying LibTorch's own choice (the reference's kernel).
//
// Mutation tried: useMeasuredAttention ignoring a measured "math" on the CPU (flash left on):
// measuredMathIsWhatTheCpuRuns failed.
#include "core/models/common/attention_backend.h"
#include "core/models/common/attention_choice.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace lumina;
using namespace lumina::models;
namespace fs = std::filesystem;

namespace {

AttentionProbe cpuProbe() {
    AttentionProbe p;
    p.device = c10::kCPU;
    p.dtype = c10::kFloat;
    p.heads = 4;
    p.kvHeads = 2;
    p.headDim = 32;
    p.tokens = 64;
    return p;
}

std::string kernelRunFor(const AttentionProbe& p) {
    const auto q = at::zeros({p.batch, p.kvHeads, p.tokens * p.heads / p.kvHeads, p.headDim});
    const auto k = at::zeros({p.batch, p.kvHeads, p.tokens, p.headDim});
    return attentionKernelFor(q, k, k, std::nullopt, std::nullopt);
}

} // namespace

class TestAttentionChoice : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    fs::path cacheFile(const char* name) const { return fs::path(m_dir.path().toStdString()) / name; }

private slots:
    void cleanup() { useAttentionBackend(AttentionBackend::Auto); }

    void measuresEachKernelTheDeviceCanRun() {
        const auto before = kernelRunFor(cpuProbe());
        const auto m = measureAttentionKernels(cpuProbe());
        QCOMPARE(m.milliseconds.size(),
                 std::size_t(2)); // math and the fused kernel; CUDA's are not on the CPU
        QVERIFY(m.milliseconds.count("math") && m.milliseconds.count("flash"));
        for (const auto& [name, ms] : m.milliseconds)
            QVERIFY2(ms > 0, name.c_str());
        QVERIFY(m.fastest == AttentionBackend::Math || m.fastest == AttentionBackend::Flash);
        QCOMPARE(m.milliseconds.at(toString(m.fastest)),
                 std::min(m.milliseconds.at("math"), m.milliseconds.at("flash")));
        QVERIFY(m.onCpu && !m.fromCache);
        // The settings are as they were.
        QCOMPARE(kernelRunFor(cpuProbe()), before);
        QVERIFY(attentionBackendInUse() == AttentionBackend::Auto);
    }

    void keyNamesDeviceDtypeShapeAndVersion() {
        auto p = cpuProbe();
        const auto key = p.key();
        for (const char* part : {"cpu", "Float", "heads 4/2", "head_dim 32", "tokens 64", "torch "})
            QVERIFY2(key.find(part) != std::string::npos, key.c_str());
        p.dtype = c10::kBFloat16;
        QVERIFY(p.key() != key);
        p.tokens = 0; // the default probe size of the device
        QVERIFY(p.key().find("tokens 512") != std::string::npos);
    }

    void cachedAfterTheFirstMeasurement() {
        const auto file = cacheFile("kernels.json");
        const auto first = attentionKernelByMeasurement(cpuProbe(), file);
        QVERIFY(!first.fromCache);
        QVERIFY(fs::exists(file));
        const auto second = attentionKernelByMeasurement(cpuProbe(), file);
        QVERIFY(second.fromCache);
        QVERIFY(second.fastest == first.fastest);
        QCOMPARE(second.milliseconds, first.milliseconds);
        // The file says which kernel won, per key, with the timings.
        std::ifstream in(file);
        const auto json = nlohmann::json::parse(in);
        QCOMPARE(json.at(cpuProbe().key()).at("kernel").get<std::string>(), toString(first.fastest));
        // Another shape is measured and added beside it.
        auto other = cpuProbe();
        other.headDim = 16;
        QVERIFY(!attentionKernelByMeasurement(other, file).fromCache);
        std::ifstream again(file);
        QCOMPARE(nlohmann::json::parse(again).size(), std::size_t(2));
    }

    void brokenCacheIsMeasuredAgain_data() {
        QTest::addColumn<QString>("content");
        QTest::newRow("not json") << "{ kernel: flash";
        QTest::newRow("array") << "[1, 2]";
        QTest::newRow("unknown kernel") << QString::fromStdString(
            nlohmann::json{{cpuProbe().key(), {{"kernel", "warp"}, {"milliseconds", {}}}}}.dump());
        QTest::newRow("wrong types") << QString::fromStdString(
            nlohmann::json{{cpuProbe().key(), {{"kernel", 3}, {"milliseconds", "fast"}}}}.dump());
    }
    void brokenCacheIsMeasuredAgain() {
        QFETCH(QString, content);
        const auto file = cacheFile("broken.json");
        std::ofstream(file, std::ios::trunc) << content.toStdString();
        const auto m = attentionKernelByMeasurement(cpuProbe(), file);
        QVERIFY(!m.fromCache);
        QCOMPARE(m.milliseconds.size(), std::size_t(2));
        QVERIFY(attentionKernelByMeasurement(cpuProbe(), file).fromCache); // rewritten, usable
    }

    void unwritableCacheOnlyWarns() {
        const auto m = attentionKernelByMeasurement(cpuProbe(), "/proc/no-such-dir/kernels.json");
        QVERIFY(!m.fromCache);
        QCOMPARE(m.milliseconds.size(), std::size_t(2));
    }

    void measuredMathIsWhatTheCpuRuns() {
        AttentionMeasurement m;
        m.onCpu = true;
        m.fastest = AttentionBackend::Math;
        useMeasuredAttention(m);
        QCOMPARE(kernelRunFor(cpuProbe()), std::string("math"));
        m.fastest = AttentionBackend::Flash;
        useMeasuredAttention(m);
        QCOMPARE(kernelRunFor(cpuProbe()), std::string("cpu-fused"));
    }

    void autoOnTheCpuIsLibTorchsOwnChoice() {
        // No measurement on the CPU: the reference runs LibTorch's default kernel, and so do we.
        const auto file = cacheFile("never.json");
        QCOMPARE(useAttentionSetting(AttentionBackend::Auto, cpuProbe(), file), std::string("libtorch"));
        QVERIFY(!fs::exists(file));
        QCOMPARE(kernelRunFor(cpuProbe()), std::string("cpu-fused"));
        QCOMPARE(useAttentionSetting(AttentionBackend::Math, cpuProbe(), file), std::string("math"));
        QCOMPARE(kernelRunFor(cpuProbe()), std::string("math"));
    }
};

QTEST_GUILESS_MAIN(TestAttentionChoice)
#include "test_attention_choice.moc"
