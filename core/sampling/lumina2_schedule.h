#pragma once
// Reference: diffusers pipelines/lumina2/pipeline_lumina2.py, Lumina2Pipeline.__call__ ("5. Prepare
// timesteps") and prepare_latents: the sigma list, the image sequence length and mu it hands to
// FlowMatchEulerDiscreteScheduler.set_timesteps (docs/sampling.md, Lumina-Image 2.0).
#include "core/sampling/flow_match_schedule.h"

#include <c10/core/Device.h>
#include <cstdint>
#include <vector>

namespace lumina::sampling {

// Which number feeds calculate_shift. diffusers 0.42 passes latents.shape[1] of the unpacked (B, C, h, w)
// latents, i.e. the latent channel count (diffusers issue #12913); the token count the transformer sees is
// (h / p) * (w / p). Only matters when the scheduler config sets use_dynamic_shifting.
enum class ImageSeqLenRule { Reference, PatchTokens };

// Latent side for an image side: 2 * (side // (vae_scale_factor * 2)), as prepare_latents floors it.
int64_t lumina2LatentSide(int64_t imageSide, int64_t vaeScaleFactor = 8);

// image_seq_len for a width x height image. Throws InvalidRequest for non-positive sizes or a patch size
// that does not divide the latent sides.
int64_t lumina2ImageSeqLen(int64_t width, int64_t height, int64_t latentChannels, int64_t patchSize,
                           ImageSeqLenRule rule = ImageSeqLenRule::Reference, int64_t vaeScaleFactor = 8);

// The pipeline's default sigma list, np.linspace(1.0, 1 / steps, steps) in float64.
std::vector<double> lumina2Sigmas(int64_t steps);

// The whole Lumina2Pipeline schedule: createFromSigmas(lumina2Sigmas(steps)), with mu = calculateShift(
// imageSeqLen) when the config uses dynamic shifting (the pipeline always computes mu; a static-shift
// scheduler never reads it). Throws InvalidRequest for steps < 1.
FlowMatchEulerSchedule lumina2Schedule(const FlowMatchEulerConfig& config, int64_t steps, int64_t imageSeqLen,
                                       c10::Device device = c10::Device(c10::DeviceType::CPU));

} // namespace lumina::sampling
