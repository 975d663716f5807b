#include "core/vocabulary/choices.h"

#include "core/util/errors.h"

#include <array>
#include <fmt/format.h>
#include <utility>

namespace lumina {
namespace {

template <typename E, std::size_t N> using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<Sampler, 4> kSamplers{{{Sampler::DiffusersEuler, "diffusers-euler"},
                                           {Sampler::Euler, "euler"},
                                           {Sampler::Midpoint, "midpoint"},
                                           {Sampler::RK4, "rk4"}}};
constexpr NameTable<Schedule, 2> kSchedules{{{Schedule::Uniform, "uniform"}, {Schedule::Sigmoid, "sigmoid"}}};
constexpr NameTable<RoPEScaling, 4> kRoPEScalings{{{RoPEScaling::None, "none"},
                                                   {RoPEScaling::Linear, "linear"},
                                                   {RoPEScaling::NTK, "ntk"},
                                                   {RoPEScaling::TimeAware, "time-aware"}}};
constexpr NameTable<CFGChannels, 2> kCFGChannels{{{CFGChannels::Reference3, "3"}, {CFGChannels::All, "all"}}};
constexpr NameTable<DeviceChoice, 4> kDevices{{{DeviceChoice::Auto, "auto"},
                                               {DeviceChoice::CPU, "cpu"},
                                               {DeviceChoice::CUDA, "cuda"},
                                               {DeviceChoice::MPS, "mps"}}};
constexpr NameTable<Precision, 4> kPrecisions{{{Precision::Auto, "auto"},
                                               {Precision::FP32, "fp32"},
                                               {Precision::BF16, "bf16"},
                                               {Precision::FP16, "fp16"}}};
constexpr NameTable<VAETiling, 3> kVAETilings{
    {{VAETiling::Auto, "auto"}, {VAETiling::Always, "always"}, {VAETiling::Never, "never"}}};
constexpr NameTable<AttentionBackend, 6> kAttentionBackends{{{AttentionBackend::Auto, "auto"},
                                                             {AttentionBackend::LibTorch, "libtorch"},
                                                             {AttentionBackend::Math, "math"},
                                                             {AttentionBackend::Flash, "flash"},
                                                             {AttentionBackend::Efficient, "efficient"},
                                                             {AttentionBackend::CuDNN, "cudnn"}}};
constexpr NameTable<InitResize, 2> kInitResizes{{{InitResize::Fit, "fit"}, {InitResize::Crop, "crop"}}};

constexpr NameTable<ModelFamily, 2> kModelFamilies{
    {{ModelFamily::LuminaNext, "lumina-next"}, {ModelFamily::Lumina2, "lumina2"}}};
constexpr NameTable<CFGNormalization, 3> kCFGNormalizations{
    {{CFGNormalization::Off, "off"}, {CFGNormalization::Rows, "rows"}, {CFGNormalization::Clip, "clip"}}};

template <typename E, std::size_t N> std::string nameOf(const NameTable<E, N>& names, E value) {
    for (const auto& [v, name] : names)
        if (v == value) return std::string(name);
    // Only reachable with a value cast from an out-of-range integer.
    throw InvalidRequest(fmt::format("no name for choice value {}", static_cast<int>(value)));
}

template <typename E, std::size_t N>
E parseName(const NameTable<E, N>& names, std::string_view text, std::string_view field) {
    std::string accepted;
    for (const auto& [v, name] : names) {
        if (text == name) return v;
        accepted += accepted.empty() ? "" : "|";
        accepted += name;
    }
    throw InvalidRequest(fmt::format("{} must be one of {}, not '{}'", field, accepted, text));
}

} // namespace

int stagesPerStep(Sampler sampler) {
    switch (sampler) {
    case Sampler::Midpoint:
        return 2;
    case Sampler::RK4:
        return 4;
    case Sampler::DiffusersEuler:
    case Sampler::Euler:
        return 1;
    }
    return 1;
}

std::string displayName(ModelFamily value) {
    return value == ModelFamily::Lumina2 ? "Lumina-Image 2.0" : "Lumina-Next";
}
std::string toString(ModelFamily value) {
    return nameOf(kModelFamilies, value);
}
std::string toString(CFGNormalization value) {
    return nameOf(kCFGNormalizations, value);
}
std::string toString(Sampler value) {
    return nameOf(kSamplers, value);
}
std::string toString(Schedule value) {
    return nameOf(kSchedules, value);
}
std::string toString(RoPEScaling value) {
    return nameOf(kRoPEScalings, value);
}
std::string toString(CFGChannels value) {
    return nameOf(kCFGChannels, value);
}
std::string toString(DeviceChoice value) {
    return nameOf(kDevices, value);
}
std::string toString(Precision value) {
    return nameOf(kPrecisions, value);
}
std::string toString(VAETiling value) {
    return nameOf(kVAETilings, value);
}
std::string toString(AttentionBackend value) {
    return nameOf(kAttentionBackends, value);
}

std::string toString(InitResize value) {
    return nameOf(kInitResizes, value);
}

ModelFamily parseModelFamily(std::string_view text, std::string_view field) {
    return parseName(kModelFamilies, text, field);
}
CFGNormalization parseCFGNormalization(std::string_view text, std::string_view field) {
    return parseName(kCFGNormalizations, text, field);
}
Sampler parseSampler(std::string_view text, std::string_view field) {
    return parseName(kSamplers, text, field);
}
Schedule parseSchedule(std::string_view text, std::string_view field) {
    return parseName(kSchedules, text, field);
}
RoPEScaling parseRoPEScaling(std::string_view text, std::string_view field) {
    return parseName(kRoPEScalings, text, field);
}
CFGChannels parseCFGChannels(std::string_view text, std::string_view field) {
    return parseName(kCFGChannels, text, field);
}
DeviceChoice parseDeviceChoice(std::string_view text, std::string_view field) {
    return parseName(kDevices, text, field);
}
Precision parsePrecision(std::string_view text, std::string_view field) {
    return parseName(kPrecisions, text, field);
}
VAETiling parseVAETiling(std::string_view text, std::string_view field) {
    return parseName(kVAETilings, text, field);
}
AttentionBackend parseAttentionBackend(std::string_view text, std::string_view field) {
    return parseName(kAttentionBackends, text, field);
}

InitResize parseInitResize(std::string_view text, std::string_view field) {
    return parseName(kInitResizes, text, field);
}

} // namespace lumina
