// The strict safetensors reader: every dtype read back bit-exactly, zero-copy mapping, and every kind of
// bad input refused with an error that names the file and the cause.
#include "core/io/safetensors_file.h"
#include "core/io/safetensors_header.h"
#include "core/io/weight_set.h"
#include "core/util/errors.h"
#include "io/io_safetensors_writer.h"
#include "support/error_of.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fmt/format.h>
#include <torch/torch.h>

using namespace lumina;
using namespace lumina::test;
namespace fs = std::filesystem;

namespace {

QString parseError(const std::vector<uint8_t>& bytes) {
    return loadErrorOf([&] { io::parseSafetensorsHeader(bytes.data(), bytes.size(), "bad.safetensors"); });
}

std::vector<uint8_t> bytesOf(const at::Tensor& t) {
    auto c = t.contiguous();
    const auto* p = static_cast<const uint8_t*>(c.data_ptr());
    return {p, p + c.nbytes()};
}

struct DTypeCase {
    const char* name;
    std::size_t size;
    c10::ScalarType torchType;
};
const std::vector<DTypeCase> kAllDTypes{{"F64", 8, torch::kFloat64},
                                        {"F32", 4, torch::kFloat32},
                                        {"F16", 2, torch::kFloat16},
                                        {"BF16", 2, torch::kBFloat16},
                                        {"I64", 8, torch::kInt64},
                                        {"I32", 4, torch::kInt32},
                                        {"I16", 2, torch::kInt16},
                                        {"I8", 1, torch::kInt8},
                                        {"U8", 1, torch::kUInt8},
                                        {"BOOL", 1, torch::kBool},
                                        {"F8_E4M3", 1, torch::kFloat8_e4m3fn},
                                        {"F8_E5M2", 1, torch::kFloat8_e5m2}};

std::vector<RawTensor> oneTensorPerDType(uint32_t seed) {
    std::vector<RawTensor> tensors;
    uint32_t i = seed;
    for (const auto& d : kAllDTypes) {
        RawTensor t{std::string("t_") + d.name, d.name, {3, 5}, patternBytes(15 * d.size, ++i)};
        if (std::string(d.name) == "BOOL")
            for (auto& b : t.bytes)
                b &= 1; // torch bools are 0 or 1
        tensors.push_back(t);
    }
    return tensors;
}

} // namespace

class TestIoSafetensors : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    fs::path path(const std::string& name) const { return fs::path(m_dir.path().toStdString()) / name; }

private slots:
    void everyDTypeReadsBackBitExactly_data() {
        QTest::addColumn<int>("alignment");
        QTest::newRow("aligned (zero-copy)") << 8;
        QTest::newRow("unaligned (copied)") << 1;
    }
    void everyDTypeReadsBackBitExactly() {
        QFETCH(int, alignment);
        const auto tensors = oneTensorPerDType(7);
        const auto file = path(fmt::format("all_{}.safetensors", alignment));
        writeFile(file, safetensorsBytes(tensors, {{"format", "pt"}}, alignment));
        const auto st = io::SafetensorsFile::open(file);
        QCOMPARE(st->tensors().size(), kAllDTypes.size());
        QCOMPARE(st->metadata().at("format"), std::string("pt"));
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const auto t = st->tensor(tensors[i].name);
            QCOMPARE(t.scalar_type(), kAllDTypes[i].torchType);
            QCOMPARE(t.sizes().vec(), tensors[i].shape);
            QVERIFY2(bytesOf(t) == tensors[i].bytes, tensors[i].name.c_str());
        }
    }
    void alignedTensorsAreNotCopied() {
        // With the header padded to 8 bytes every tensor starts aligned, so the tensor points into the
        // mapping.
        const auto file = path("aligned.safetensors");
        writeFile(file, safetensorsBytes({{"a", "F32", {4}, patternBytes(16, 1)},
                                          {"b", "F64", {2}, patternBytes(16, 2)}}));
        const auto st = io::SafetensorsFile::open(file);
        const auto* info = st->find("b");
        QVERIFY(info);
        auto t = st->tensor(*info);
        QCOMPARE(static_cast<const uint8_t*>(t.data_ptr()), st->bytes(*info));
        // Writing to the tensor never reaches the file (private mapping).
        t.fill_(1.0);
        const auto again = io::SafetensorsFile::open(file);
        QVERIFY(bytesOf(again->tensor("b")) == patternBytes(16, 2));
    }
    void tensorOutlivesItsFileObject() {
        const auto file = path("outlive.safetensors");
        writeFile(file, safetensorsBytes({{"a", "F32", {4}, patternBytes(16, 3)}}));
        at::Tensor t;
        {
            auto st = io::SafetensorsFile::open(file);
            t = st->tensor("a");
        }
        QVERIFY(bytesOf(t) == patternBytes(16, 3)); // the mapping is kept alive by the tensor
    }
    void emptyAndScalarTensors() {
        const auto file = path("edge.safetensors");
        writeFile(file, safetensorsBytes(
                            {{"empty", "F32", {0, 3}, {}}, {"scalar", "F16", {}, patternBytes(2, 4)}}));
        const auto st = io::SafetensorsFile::open(file);
        QCOMPARE(st->tensor("empty").numel(), 0);
        QCOMPARE(st->tensor("scalar").dim(), 0);
        QVERIFY(bytesOf(st->tensor("scalar")) == patternBytes(2, 4));
        QVERIFY(loadErrorOf([&] { st->tensor("nope"); }).contains("has no tensor 'nope'"));
    }

    void badHeaders_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto add = [](const char* row, const std::vector<uint8_t>& b, const char* expected) {
            QTest::newRow(row) << QByteArray(reinterpret_cast<const char*>(b.data()),
                                             static_cast<int>(b.size()))
                               << QString(expected);
        };
        const std::string ok8 = R"("data_offsets":[0,8])";
        const std::vector<uint8_t> d8(8, 0);
        add("empty file", {}, "the file is empty");
        add("shorter than length field", {1, 2, 3}, "less than the 8-byte header length");
        add("header length beyond file", rawFile("{}", {}, 1000), "larger than the file");
        add("absurd header length", rawFile("{}", {}, 200ull * 1024 * 1024), "more than the 100 MB limit");
        add("header length 2^64-2", rawFile("{}", {}, UINT64_MAX - 1), "more than the 100 MB limit");
        add("invalid JSON", rawFile("{\"a\": ", {}), "not valid JSON");
        add("JSON not an object", rawFile("[1, 2]", {}), "not an object");
        add("JSON string", rawFile("\"x\"", {}), "not an object");
        add("unknown dtype", rawFile(R"({"a":{"dtype":"F12","shape":[2],)" + ok8 + "}}", d8),
            "unknown dtype 'F12'");
        add("dtype not a string", rawFile(R"({"a":{"dtype":4,"shape":[2],)" + ok8 + "}}", d8),
            "no string 'dtype'");
        add("negative shape", rawFile(R"({"a":{"dtype":"F32","shape":[-2],)" + ok8 + "}}", d8), "negative");
        add("float shape", rawFile(R"({"a":{"dtype":"F32","shape":[2.0],)" + ok8 + "}}", d8), "non-integer");
        add("overflowing shape",
            rawFile(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],)" + ok8 + "}}", d8),
            "overflows");
        add("dimension beyond int64",
            rawFile(R"({"a":{"dtype":"U8","shape":[18446744073709551615],)" + ok8 + "}}", d8), "too large");
        add("byte size overflows",
            rawFile(R"({"a":{"dtype":"F64","shape":[4611686018427387904],)" + ok8 + "}}", d8), "overflows");
        add("offsets beyond data", rawFile(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", d8),
            "which has only 8 bytes");
        add("offsets out of order", rawFile(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", d8),
            "out of order");
        add("negative offsets", rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", d8),
            "negative or non-integer data_offsets");
        add("offsets not a pair", rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", d8),
            "no 'data_offsets' pair");
        add("overlapping tensors",
            rawFile(
                R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                d8),
            "overlaps");
        add("gap between tensors", rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", d8),
            "gap of 4 bytes");
        add("trailing unused data", rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", d8),
            "cover 4 bytes");
        add("shape x dtype != span", rawFile(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", d8),
            "needs 4 bytes");
        add("duplicate key",
            rawFile(
                R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                d8),
            "names tensor 'a' twice");
        add("duplicate field in entry",
            rawFile(R"({"a":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}})",
                    std::vector<uint8_t>(4)),
            "key 'dtype' twice in one entry");
        add("metadata not strings", rawFile(R"({"__metadata__":{"x":1}})", {}), "is not a string");
        add("metadata not object", rawFile(R"({"__metadata__":[]})", {}), "__metadata__ is not an object");
        add("entry not object", rawFile(R"({"a":5})", {}), "is not a JSON object");
        add("extra field", rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", d8),
            "unexpected field 'x'");
        add("empty header", rawFile("", {}), "JSON header is empty");
    }
    void badHeaders() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        std::vector<uint8_t> b(bytes.begin(), bytes.end());
        const auto msg = parseError(b);
        QVERIFY2(msg.contains("bad.safetensors") && msg.contains(expected), qPrintable(msg));
        // The same bytes from disk give the same error through the file reader, naming the path.
        const auto file = path("bad_from_disk.safetensors");
        writeFile(file, b);
        const auto fileMsg = loadErrorOf([&] { io::SafetensorsFile::open(file); });
        QVERIFY2(fileMsg.contains(QString::fromStdString(file.string())) && fileMsg.contains(expected),
                 qPrintable(fileMsg));
    }
    void truncatedFileNamesTheTensor() {
        auto bytes = safetensorsBytes({{"weight", "F32", {4, 4}, patternBytes(64, 5)}});
        bytes.resize(bytes.size() - 10);
        QVERIFY2(parseError(bytes).contains("tensor 'weight' ends at byte 64"),
                 qPrintable(parseError(bytes)));
    }

    void fileSystemProblems() {
        const auto missing = loadErrorOf([&] { io::SafetensorsFile::open(path("none.safetensors")); });
        QVERIFY2(missing.contains("none.safetensors") && missing.contains("cannot open"),
                 qPrintable(missing));
        fs::create_directories(path("dir.safetensors"));
        const auto dir = loadErrorOf([&] { io::SafetensorsFile::open(path("dir.safetensors")); });
        QVERIFY2(dir.contains("not a regular file"), qPrintable(dir));
        fs::create_symlink(path("gone-blob"), path("link.safetensors"));
        const auto broken = loadErrorOf([&] { io::SafetensorsFile::open(path("link.safetensors")); });
        QVERIFY2(broken.contains("broken symbolic link") && broken.contains("gone-blob"), qPrintable(broken));
        // Unreadable by permission cannot be simulated as root (root reads mode 000 files).
        if (::geteuid() == 0)
            QSKIP("running as root: a chmod 000 file stays readable, so that sub-case can't be tested");
        writeFile(path("locked.safetensors"), safetensorsBytes({}));
        fs::permissions(path("locked.safetensors"), fs::perms::none);
        const auto locked = loadErrorOf([&] { io::SafetensorsFile::open(path("locked.safetensors")); });
        QVERIFY2(locked.contains("Permission denied"), qPrintable(locked));
    }

    // ---- sharded weights (*.safetensors.index.json) and component folders ----
    void shardedSetJoinsShards() {
        const fs::path dir = path("sharded");
        writeFile(dir / "model-00001-of-00002.safetensors",
                  safetensorsBytes({{"a", "F32", {2}, patternBytes(8, 1)}}));
        writeFile(dir / "model-00002-of-00002.safetensors",
                  safetensorsBytes(
                      {{"b", "BF16", {3}, patternBytes(6, 2)}, {"c", "I64", {1}, patternBytes(8, 3)}}));
        writeText(dir / "model.safetensors.index.json",
                  R"({"metadata":{"total_size":22},"weight_map":{"a":"model-00001-of-00002.safetensors",
                      "b":"model-00002-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}})");
        const auto set = io::WeightSet::openFolder(dir);
        QCOMPARE(set.files().size(), std::size_t(2));
        QCOMPARE(set.entries().size(), std::size_t(3));
        QCOMPARE(set.totalBytes(), uint64_t(22));
        QVERIFY(bytesOf(set.find("b")->file->tensor(*set.find("b")->info)) == patternBytes(6, 2));
        QVERIFY(set.find("zzz") == nullptr);
    }
    void shardedErrors() {
        const fs::path dir = path("sharded_bad");
        writeFile(dir / "s1.safetensors", safetensorsBytes({{"a", "F32", {2}, patternBytes(8, 1)}}));
        writeFile(dir / "s2.safetensors", safetensorsBytes({{"a", "F32", {2}, patternBytes(8, 1)}}));
        auto indexError = [&](const std::string& text) {
            writeText(dir / "model.safetensors.index.json", text);
            return loadErrorOf([&] { io::WeightSet::open(dir / "model.safetensors.index.json"); });
        };
        auto msg = indexError(R"({"weight_map":{"a":"s1.safetensors","b":"s9.safetensors"}})");
        QVERIFY2(msg.contains("names shard 's9.safetensors', which is missing"), qPrintable(msg));
        msg = indexError(R"({"weight_map":{"a":"s1.safetensors","x":"s2.safetensors"}})");
        QVERIFY2(msg.contains("tensor 'a' is in two shards"), qPrintable(msg));
        msg = indexError(R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})");
        QVERIFY2(msg.contains("tensor 'b' is in s1.safetensors, but that shard does not have it"),
                 qPrintable(msg));
        msg = indexError(R"({"weight_map":{"a":"../s1.safetensors"}})");
        QVERIFY2(msg.contains("not a file in this folder"), qPrintable(msg));
        msg = indexError(R"({"weight_map":[]})");
        QVERIFY2(msg.contains("no 'weight_map' object"), qPrintable(msg));
        msg = indexError(R"({"weight_map":{"a":1}})");
        QVERIFY2(msg.contains("is not a file name"), qPrintable(msg));
        msg = indexError("{not json");
        QVERIFY2(msg.contains("model.safetensors.index.json") && msg.contains("invalid JSON"),
                 qPrintable(msg));
        msg = indexError("[]");
        QVERIFY2(msg.contains("expected a JSON object"), qPrintable(msg));
        fs::create_symlink(dir / "blob-gone", dir / "s3.safetensors");
        msg = indexError(R"({"weight_map":{"a":"s3.safetensors"}})");
        QVERIFY2(msg.contains("s3.safetensors") && msg.contains("broken symbolic link"), qPrintable(msg));
    }
    void folderRefusesPickles() {
        const fs::path dir = path("pickled");
        writeText(dir / "diffusion_pytorch_model.bin", "PK\x03\x04 not to be opened");
        const auto msg = loadErrorOf([&] { io::WeightSet::openFolder(dir); });
        QVERIFY2(msg.contains("diffusion_pytorch_model.bin") && msg.contains("never opens them") &&
                     msg.contains("save_pretrained") && msg.contains("safetensors"),
                 qPrintable(msg));
        for (const char* ext : {"pt", "ckpt"}) {
            const fs::path d = path(std::string("pickled_") + ext);
            writeText(d / (std::string("model.") + ext), "x");
            QVERIFY(loadErrorOf([&] { io::WeightSet::openFolder(d); }).contains("pickle"));
        }
    }
    void folderProblems() {
        QVERIFY(loadErrorOf([&] {
                    io::WeightSet::openFolder(path("no-such-folder"));
                }).contains("folder is missing"));
        fs::create_directories(path("empty-folder"));
        QVERIFY(
            loadErrorOf([&] { io::WeightSet::openFolder(path("empty-folder")); }).contains("has no weights"));
        writeFile(path("two/a.safetensors"), safetensorsBytes({}));
        writeFile(path("two/b.safetensors"), safetensorsBytes({}));
        QVERIFY(loadErrorOf([&] {
                    io::WeightSet::openFolder(path("two"));
                }).contains("no *.safetensors.index.json"));
        fs::create_directories(path("dirweights/model.safetensors"));
        QVERIFY(loadErrorOf([&] {
                    io::WeightSet::openFolder(path("dirweights"));
                }).contains("not a regular file"));
        // A single differently named file (a variant such as *.fp16.safetensors) is used.
        writeFile(path("variant/diffusion_pytorch_model.fp16.safetensors"),
                  safetensorsBytes({{"w", "F16", {1}, patternBytes(2, 9)}}));
        QCOMPARE(io::WeightSet::openFolder(path("variant")).entries().size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestIoSafetensors)
#include "test_io_safetensors.moc"
