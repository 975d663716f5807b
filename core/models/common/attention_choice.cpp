#include "core/models/common/attention_choice.h"

#include "core/models/common/attention_backend.h"
#include "core/util/app_paths.h"
#include "core/util/log.h"

#include <ATen/Context.h>
#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace lumina::models {
namespace {

int64_t probeTokens(const AttentionProbe& p) {
    return p.tokens > 0 ? p.tokens : (p.device.is_cpu() ? 512 : 4096);
}

void synchronize(c10::Device device) {
    if (device.is_cuda()) torch::cuda::synchronize();
    if (device.is_mps()) torch::mps::synchronize();
}

// The name attentionKernelFor reports when `backend` serves a call.
std::string kernelName(AttentionBackend backend, c10::Device device) {
    if (backend == AttentionBackend::Flash && device.is_cpu()) return "cpu-fused";
    return toString(backend);
}

double medianMilliseconds(const std::function<void()>& call, c10::Device device) {
    for (int i = 0; i < 2; ++i)
        call();
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
        synchronize(device);
        const auto start = std::chrono::steady_clock::now();
        call();
        synchronize(device);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[1];
}

std::mutex g_cacheMutex;

} // namespace

std::string AttentionProbe::key() const {
    return fmt::format("{} {} batch {} heads {}/{} head_dim {} tokens {} torch {}.{}.{}", device.str(),
                       c10::toString(dtype), batch, heads, kvHeads > 0 ? kvHeads : heads, headDim,
                       probeTokens(*this), TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
}

AttentionMeasurement measureAttentionKernels(const AttentionProbe& probe) {
    AttentionMeasurement m;
    m.key = probe.key();
    m.onCpu = probe.device.is_cpu();
    if (probe.heads < 1 || probe.headDim < 1 || probe.batch < 1) return m;
    c10::InferenceMode inference;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
    const int64_t kv = probe.kvHeads > 0 ? probe.kvHeads : probe.heads, tokens = probeTokens(probe);
    auto draw = [&](int64_t rows) {
        return at::randn({probe.batch, kv, rows, probe.headDim}, generator, at::kFloat)
            .to(probe.device, probe.dtype);
    };
    const auto q = draw(tokens * (probe.heads / kv)), k = draw(tokens), v = draw(tokens);
    const AttentionBackend before = attentionBackendInUse();
    const auto order = at::globalContext().sDPPriorityOrder();
    const bool flashBefore = at::globalContext().userEnabledFlashSDP();
    const std::vector<AttentionBackend> candidates =
        probe.device.is_cpu() ? std::vector{AttentionBackend::Math, AttentionBackend::Flash}
                              : std::vector{AttentionBackend::Math, AttentionBackend::Flash,
                                            AttentionBackend::Efficient, AttentionBackend::CuDNN};
    double best = 0;
    for (const auto candidate : candidates) {
        useAttentionBackend(candidate);
        if (attentionKernelFor(q, k, v, std::nullopt, std::nullopt) != kernelName(candidate, probe.device))
            continue; // cannot serve this shape or dtype here: it would fall back to math
        try {
            const double ms = medianMilliseconds(
                [&] { (void)at::scaled_dot_product_attention(q, k, v, std::nullopt, 0.0, false); },
                probe.device);
            m.milliseconds[toString(candidate)] = ms;
            if (m.fastest == AttentionBackend::LibTorch || ms < best) {
                m.fastest = candidate;
                best = ms;
            }
        } catch (const c10::Error& e) {
            log::warn("attention kernel {} failed on {} ({}); not considered", toString(candidate),
                      probe.device.str(), e.what_without_backtrace());
        }
    }
    useAttentionBackend(before);
    std::vector<int64_t> previousOrder;
    for (const auto backend : order)
        previousOrder.push_back(static_cast<int64_t>(backend));
    at::globalContext().setSDPPriorityOrder(previousOrder);
    at::globalContext().setSDPUseFlash(flashBefore);
    return m;
}

AttentionMeasurement attentionKernelByMeasurement(const AttentionProbe& probe,
                                                  const std::filesystem::path& cacheFile) {
    std::lock_guard lock(g_cacheMutex);
    const std::string key = probe.key();
    nlohmann::json cache = nlohmann::json::object();
    std::error_code ec;
    if (std::filesystem::exists(cacheFile, ec)) {
        try {
            std::ifstream in(cacheFile);
            cache = nlohmann::json::parse(in);
            if (!cache.is_object()) throw std::runtime_error("not a JSON object");
            const auto it = cache.find(key);
            if (it != cache.end()) {
                AttentionMeasurement m;
                m.key = key;
                m.onCpu = probe.device.is_cpu();
                m.fastest = parseAttentionBackend(it->at("kernel").get<std::string>(), "kernel");
                for (const auto& [name, ms] : it->at("milliseconds").items())
                    m.milliseconds[name] = ms.get<double>();
                m.fromCache = true;
                return m;
            }
        } catch (const std::exception& e) {
            log::warn("{}: cannot use the cached attention measurements ({}); measuring again",
                      cacheFile.string(), e.what());
            cache = nlohmann::json::object();
        }
    }
    const auto start = std::chrono::steady_clock::now();
    AttentionMeasurement m = measureAttentionKernels(probe);
    log::info("attention kernels measured for {} in {:.1f} s: {} fastest", key,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              toString(m.fastest));
    if (m.fastest == AttentionBackend::LibTorch) return m; // nothing measurable: not worth remembering
    cache[key] = {{"kernel", toString(m.fastest)}, {"milliseconds", m.milliseconds}};
    const auto temporary = std::filesystem::path(cacheFile.string() + ".tmp");
    std::filesystem::create_directories(cacheFile.parent_path(), ec);
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << cache.dump(1) << "\n";
        if (!out) {
            log::warn("{}: cannot write the attention measurements; they are measured again next time",
                      temporary.string());
            return m;
        }
    }
    std::filesystem::rename(temporary, cacheFile, ec);
    if (ec) log::warn("{}: cannot store the attention measurements ({})", cacheFile.string(), ec.message());
    return m;
}

void useMeasuredAttention(const AttentionMeasurement& measurement) {
    useAttentionBackend(AttentionBackend::LibTorch);
    if (measurement.fastest == AttentionBackend::LibTorch || measurement.fastest == AttentionBackend::Auto)
        return;
    if (measurement.onCpu) {
        // The CPU chooses in a fixed order, its fused kernel first: preferring math means turning it off.
        if (measurement.fastest == AttentionBackend::Math) at::globalContext().setSDPUseFlash(false);
        return;
    }
    const auto fastest = static_cast<int64_t>(sdpBackendOf(measurement.fastest));
    std::vector<int64_t> order{fastest};
    for (const auto backend : defaultAttentionPriorityOrder())
        if (static_cast<int64_t>(backend) != fastest) order.push_back(static_cast<int64_t>(backend));
    at::globalContext().setSDPPriorityOrder(order);
}

std::string useAttentionSetting(AttentionBackend setting, const AttentionProbe& probe,
                                const std::filesystem::path& cacheFile) {
    if (setting != AttentionBackend::Auto || !probe.device.is_cuda()) {
        useAttentionBackend(setting);
        return toString(setting == AttentionBackend::Auto ? AttentionBackend::LibTorch : setting);
    }
    const auto measured = attentionKernelByMeasurement(probe, cacheFile);
    useMeasuredAttention(measured);
    return "measured: " + toString(measured.fastest);
}

std::filesystem::path defaultAttentionCacheFile() {
    return appDataDirectory() / "attention-kernels.json";
}

} // namespace lumina::models
