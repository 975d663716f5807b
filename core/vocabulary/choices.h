#pragma once
// The enumerated choices of a generation and their one name each. Every layer speaks these types: sampling
// and the models compute with them, the request carries them, and JSON (job queue, gallery, image metadata),
// the CLI flags and the UI combo boxes print and parse them through the one name table in choices.cpp. The
// names are a contract (stored in databases and image files): never rename one.
// Torch-free and Qt-free, so the request module, the gallery and the UI can use it without tensors.
#include <string>
#include <string_view>

namespace lumina {

// How the flow ODE is integrated; see docs/sampling.md.
enum class Sampler {
    DiffusersEuler, // "diffusers-euler": diffusers FlowMatchEulerDiscreteScheduler (LuminaPipeline)
    Euler,          // "euler": official grid, torchdiffeq fixed-grid euler
    Midpoint,       // "midpoint": official grid, torchdiffeq midpoint
    RK4,            // "rk4": official grid, torchdiffeq rk4 (3/8 rule)
};

// Spacing of the official solvers' time grid before the time shift.
enum class Schedule {
    Uniform, // "uniform": linspace(0, 1), the official grid
    Sigmoid, // "sigmoid": NON-REFERENCE, denser near both ends (docs/sampling.md)
};

// Resolution extrapolation of the rotary position table.
enum class RoPEScaling {
    None,      // "none": lambda = nu = 1
    Linear,    // "linear": lambda = s_f (position interpolation)
    NTK,       // "ntk": nu = s_f (theta = 10000 * s_f)
    TimeAware, // "time-aware": t < watershed linear, otherwise NTK
};

// Channels that classifier-free guidance combines.
enum class CFGChannels {
    Reference3, // "3": channels 0-2 guided, the rest from the conditional half (the reference)
    All,        // "all": NON-REFERENCE, standard CFG on every channel
};

// Model evaluations (one batched CFG forward each) per step: "steps" count integration intervals
// everywhere, so diffusers-euler and euler cost 1 per step, midpoint 2, rk4 4.
int stagesPerStep(Sampler sampler);

enum class DeviceChoice { Auto, CPU, CUDA, MPS }; // "auto", "cpu", "cuda", "mps"
enum class Precision { Auto, FP32, BF16, FP16 };  // "auto", "fp32", "bf16", "fp16"
enum class VAETiling { Auto, Always, Never };     // "auto", "always", "never"
// Scaled-dot-product attention kernel (core/models/common/attention_backend.h, attention_choice.h): "auto",
// "libtorch", "math", "flash", "efficient", "cudnn". Auto: the kernel measured fastest on this device at
// first use (cached) goes first; LibTorch: LibTorch's own order per call; the others allow only that kernel
// (a call it cannot serve falls back to math).
enum class AttentionBackend { Auto, LibTorch, Math, Flash, Efficient, CuDNN };

// How an image-to-image init image of another shape meets the target size.
enum class InitResize {
    Fit,  // "fit": resampled to exactly the target width and height (the aspect ratio follows the target)
    Crop, // "crop": scaled to cover the target with its own aspect ratio, then centre-cropped
};

// The generation of Lumina model a checkpoint holds, detected from its files (model_index.json's pipeline
// class, or a single file's keys), never from a file name.
enum class ModelFamily {
    LuminaNext, // "lumina-next": Next-DiT + Gemma + SDXL VAE (diffusers LuminaPipeline)
    Lumina2,    // "lumina2": Lumina-Image 2.0 Unified Next-DiT + Gemma-2 + FLUX VAE (Lumina2Pipeline)
};
// The name shown to people ("Lumina-Next", "Lumina-Image 2.0").
std::string displayName(ModelFamily value);

// Lumina-Image 2.0's classifier-free guidance normalization (docs/sampling.md, Lumina-Image 2.0).
enum class CFGNormalization {
    Off,  // "off": plain uncond + scale * (cond - uncond)
    Rows, // "rows": diffusers Lumina2Pipeline cfg_normalization, every row rescaled to the conditional's norm
    Clip, // "clip": the official sample.py (renorm_cfg 1), the whole latent's norm clipped at the
          // conditional's
};

std::string toString(ModelFamily value);
std::string toString(CFGNormalization value);
std::string toString(Sampler value);
std::string toString(Schedule value);
std::string toString(RoPEScaling value);
std::string toString(CFGChannels value);
std::string toString(DeviceChoice value);
std::string toString(Precision value);
std::string toString(VAETiling value);
std::string toString(AttentionBackend value);
std::string toString(InitResize value);

// Parse the names above. `field` names the setting in the error (a JSON key or a CLI flag): InvalidRequest
// "<field> must be one of a|b|c, not '<text>'".
ModelFamily parseModelFamily(std::string_view text, std::string_view field = "model family");
CFGNormalization parseCFGNormalization(std::string_view text, std::string_view field = "cfg-normalization");
Sampler parseSampler(std::string_view text, std::string_view field = "sampler");
Schedule parseSchedule(std::string_view text, std::string_view field = "schedule");
RoPEScaling parseRoPEScaling(std::string_view text, std::string_view field = "rope-scaling");
CFGChannels parseCFGChannels(std::string_view text, std::string_view field = "cfg-channels");
DeviceChoice parseDeviceChoice(std::string_view text, std::string_view field = "device");
Precision parsePrecision(std::string_view text, std::string_view field = "dtype");
VAETiling parseVAETiling(std::string_view text, std::string_view field = "vae tiling");
AttentionBackend parseAttentionBackend(std::string_view text, std::string_view field = "attention");
InitResize parseInitResize(std::string_view text, std::string_view field = "resize");

} // namespace lumina
