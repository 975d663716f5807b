// Reference: diffusers models/autoencoders/autoencoder_kl.py (AutoencoderKL.encode/_decode) and
// models/modeling_utils.py (_convert_deprecated_attention_blocks: the legacy attention names).
#include "core/models/vae/autoencoder_kl.h"

#include "core/io/weight_set.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <array>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace lumina::models {

AutoencoderKLImpl::AutoencoderKLImpl(const VAEConfig& config, const torch::TensorOptions& options)
    : m_config(config) {
    m_encoder = register_module("encoder", vae::Encoder(config, options));
    m_decoder = register_module("decoder", vae::Decoder(config, options));
    const int64_t l = config.latentChannels;
    if (config.useQuantConv)
        m_quantConv = register_module("quant_conv", vae::Conv2d(2 * l, 2 * l, 1, 1, 0, options));
    if (config.usePostQuantConv)
        m_postQuantConv = register_module("post_quant_conv", vae::Conv2d(l, l, 1, 1, 0, options));
}

c10::ScalarType AutoencoderKLImpl::dtype() const {
    return m_decoder->parameters().front().scalar_type();
}
c10::Device AutoencoderKLImpl::device() const {
    return m_decoder->parameters().front().device();
}

at::Tensor AutoencoderKLImpl::decode(const at::Tensor& z) const {
    if (z.dim() != 4 || z.size(1) != m_config.latentChannels)
        throw InvalidRequest(fmt::format("VAE decode: latents must be (B, {}, h, w), got {}",
                                         m_config.latentChannels, fmt::join(z.sizes(), "x")));
    torch::NoGradGuard noGrad;
    auto h = m_postQuantConv ? m_postQuantConv->forward(z) : z;
    return m_decoder->forward(h);
}

at::Tensor AutoencoderKLImpl::decodeMid(const at::Tensor& z) const {
    torch::NoGradGuard noGrad;
    return m_decoder->forwardMid(m_postQuantConv ? m_postQuantConv->forward(z) : z);
}

at::Tensor AutoencoderKLImpl::decodeUp(const at::Tensor& h, std::size_t firstBlock) const {
    torch::NoGradGuard noGrad;
    return m_decoder->forwardUp(h, firstBlock);
}

at::Tensor AutoencoderKLImpl::decodeUpBlocks(const at::Tensor& h, std::size_t begin, std::size_t end) const {
    torch::NoGradGuard noGrad;
    return m_decoder->forwardUpBlocks(h, begin, end);
}

std::pair<at::Tensor, at::Tensor> AutoencoderKLImpl::encode(const at::Tensor& image) const {
    return encodeMoments(encodeDown(image));
}

at::Tensor AutoencoderKLImpl::encodeDown(const at::Tensor& image) const {
    if (image.dim() != 4 || image.size(1) != m_config.inChannels)
        throw InvalidRequest(fmt::format("VAE encode: image must be (B, {}, H, W), got {}",
                                         m_config.inChannels, fmt::join(image.sizes(), "x")));
    const int64_t f = m_config.spatialFactor();
    if (image.size(2) % f != 0 || image.size(3) % f != 0)
        throw InvalidRequest(
            fmt::format("VAE encode: image height and width must be multiples of {}, got {}x{}", f,
                        image.size(2), image.size(3)));
    torch::NoGradGuard noGrad;
    return m_encoder->forwardDown(image);
}

std::pair<at::Tensor, at::Tensor> AutoencoderKLImpl::encodeMoments(const at::Tensor& h) const {
    torch::NoGradGuard noGrad;
    auto moments = m_encoder->forwardMid(h);
    if (m_quantConv) moments = m_quantConv->forward(moments);
    auto parts = moments.chunk(2, 1);
    return {parts[0], at::clamp(parts[1], -30.0, 20.0)};
}

std::string renameLegacyVAEKey(const std::string& key) {
    static const std::array<std::pair<std::string, std::string>, 4> kLegacy{
        {{".query.", ".to_q."}, {".key.", ".to_k."}, {".value.", ".to_v."}, {".proj_attn.", ".to_out.0."}}};
    if (key.find(".attentions.") == std::string::npos) return key;
    for (const auto& [from, to] : kLegacy) {
        const auto pos = key.find(from);
        if (pos != std::string::npos) return key.substr(0, pos) + to + key.substr(pos + from.size());
    }
    return key;
}

namespace {

io::LoadOptions withLegacyNames(io::LoadOptions options) {
    auto user = options.rename;
    options.rename = [user](const std::string& key) {
        const auto k = user ? user(key) : key;
        return k.empty() ? k : renameLegacyVAEKey(k);
    };
    if (options.componentLabel == "model") options.componentLabel = "VAE";
    return options;
}

VAEConfig readConfig(const std::filesystem::path& folder) {
    if (!std::filesystem::is_directory(folder))
        throw ModelLoadError(fmt::format("VAE folder {} does not exist; point to the pipeline's vae/ folder",
                                         folder.string()));
    return VAEConfig::fromFile(folder / "config.json");
}

} // namespace

std::shared_ptr<AutoencoderKLImpl> loadVAEWeights(const VAEConfig& config, const io::WeightSet& weights,
                                                  io::LoadOptions options) {
    if (options.componentLabel == "model") options.componentLabel = "VAE";
    auto dtype = options.dtype.value_or(c10::kFloat);
    if (dtype == c10::kHalf) {
        log::warn(
            "VAE: fp16 overflows in the SDXL VAE (activations exceed 65504); running it in fp32 instead "
            "(choose bf16 for a smaller footprint)");
        dtype = c10::kFloat;
    }
    if (dtype != c10::kFloat && dtype != c10::kBFloat16 && dtype != c10::kDouble)
        throw ModelLoadError(
            fmt::format("VAE: dtype {} is not supported; use fp32 or bf16", c10::toString(dtype)));
    options.dtype = dtype;
    // Empty CPU parameters cost no memory until touched; the loader checks every name and shape before it
    // reads anything and then places each tensor once on the target device.
    auto model =
        std::make_shared<AutoencoderKLImpl>(config, torch::TensorOptions().dtype(dtype).device(c10::kCPU));
    const auto report = io::loadModuleWeights(*model, weights, options);
    model->eval();
    log::info("VAE: loaded {} tensors from {} ({} blocks, {} latent channels, scaling {}, {} on {})",
              report.tensorsLoaded, weights.describe(), config.blockOutChannels.size(), config.latentChannels,
              config.scalingFactor, c10::toString(dtype), options.device.str());
    return model;
}

std::shared_ptr<AutoencoderKLImpl> loadVAE(const std::filesystem::path& folder,
                                           const io::LoadOptions& options) {
    const auto config = readConfig(folder);
    return loadVAEWeights(config, io::WeightSet::openFolder(folder), withLegacyNames(options));
}

void validateVAE(const std::filesystem::path& folder) {
    const auto config = readConfig(folder);
    const auto weights = io::WeightSet::openFolder(folder);
    AutoencoderKLImpl model(config, torch::TensorOptions().dtype(c10::kFloat).device(c10::kMeta));
    io::checkModuleWeights(model, weights, withLegacyNames({}));
}

} // namespace lumina::models
