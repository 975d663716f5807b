#pragma once
// Running lumina-cli from a Qt test and reading what it wrote, with nothing but Qt (the CLI suites link no
// LibTorch): the process result, a request JSON as `generate` flags, one float32 tensor of a .safetensors
// file, the relative L2 distance.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

namespace lumina::test {

struct CliRun {
    int exitCode = -1; // -1: crashed or timed out
    QByteArray out, err;
};

// $LUMINA_CLI with `args`.
inline CliRun cli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(qEnvironmentVariable("LUMINA_CLI"), args);
    p.waitForFinished(timeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

struct Floats {
    std::vector<float> values;
    QJsonArray shape;
};

// The tensor `name` of a .safetensors file when it is F32; empty otherwise.
inline Floats readF32(const QString& path, const QString& name) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = f.readAll();
    quint64 headerLength = 0;
    memcpy(&headerLength, bytes.constData(), 8);
    const auto header = QJsonDocument::fromJson(bytes.mid(8, static_cast<int>(headerLength))).object();
    const auto t = header[name].toObject();
    if (t["dtype"].toString() != "F32") return {};
    const auto offsets = t["data_offsets"].toArray();
    const qint64 begin = 8 + static_cast<qint64>(headerLength) + offsets[0].toInteger();
    const qint64 count = (offsets[1].toInteger() - offsets[0].toInteger()) / 4;
    Floats out{std::vector<float>(static_cast<std::size_t>(count)), t["shape"].toArray()};
    memcpy(out.values.data(), bytes.constData() + begin, static_cast<std::size_t>(count) * 4);
    return out;
}

// |a - b| / |b|; infinity when the sizes differ or b is empty (a missing file never passes a tolerance).
inline double relativeL2(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || b.empty()) return INFINITY;
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        den += double(b[i]) * b[i];
    }
    return std::sqrt(num / den);
}

// The app's request JSON (a case of cases.json) as `generate` flags: every key the request carries that has a
// flag (core/pipeline/request.cpp toJson keys), on the CPU, quiet.
inline QStringList flagsFor(const QJsonObject& r) {
    static const std::vector<std::pair<const char*, const char*>> kFlags{
        {"preset", "--preset"},
        {"prompt", "--prompt"},
        {"negative_prompt", "--negative"},
        {"width", "--width"},
        {"height", "--height"},
        {"seed", "--seed"},
        {"steps", "--steps"},
        {"sampler", "--sampler"},
        {"schedule", "--schedule"},
        {"sigmoid_kappa", "--sigmoid-kappa"},
        {"guidance", "--guidance"},
        {"time_shift", "--time-shift"},
        {"rope_scaling", "--rope-scaling"},
        {"watershed", "--watershed"},
        {"proportional_attention", "--proportional-attention"},
        {"cfg_channels", "--cfg-channels"},
        {"diffusers_preprocess", "--diffusers-preprocess"},
        {"init_image", "--init-image"},
        {"strength", "--strength"},
        {"init_resize", "--resize"},
        {"system_prompt", "--system-prompt"},
        {"cfg_normalization", "--cfg-normalization"},
        {"cfg_trunc_ratio", "--cfg-trunc"}};
    QStringList flags;
    for (const auto& [key, flag] : kFlags) {
        const QJsonValue v = r[key];
        if (v.isUndefined() || v.isNull()) continue;
        flags << flag;
        if (v.isBool())
            flags << (v.toBool() ? "on" : "off");
        else if (v.isString())
            flags << v.toString();
        else if (v.toDouble() == double(v.toInteger()))
            flags << QString::number(v.toInteger());
        else
            flags << QString::number(v.toDouble(), 'g', 17);
    }
    for (const auto& lora : r["loras"].toArray())
        flags << "--lora"
              << lora.toObject()["path"].toString() + ":" +
                     QString::number(lora.toObject()["scale"].toDouble(), 'g', 17);
    return flags + QStringList{"--device", "cpu", "--quiet"};
}

} // namespace lumina::test
