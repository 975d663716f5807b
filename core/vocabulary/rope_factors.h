#pragma once
// Resolution-extrapolation factors of one model evaluation: the sampling policy
// (core/sampling/rope_scaling.h) chooses them, the transformer's rotary table
// (core/models/next_dit/rope_table.h) applies them. Reference: diffusers embeddings.py,
// get_1d_rotary_pos_embed (linear_factor, ntk_factor).
namespace lumina {

struct RoPEFactors {
    double linear = 1.0; // lambda: the frequencies are divided by it
    double ntk = 1.0;    // nu: theta = 10000 is multiplied by it
    bool operator==(const RoPEFactors&) const = default;
};

} // namespace lumina
