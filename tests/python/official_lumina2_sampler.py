"""The official Lumina-Image 2.0 sampler (github.com/Alpha-VLLM/Lumina-Image-2.0: sample.py main() with
scripts/sample.sh, models/model.py NextDiT.forward_with_cfg, transport/integrators.py ode.sample), rewritten around
diffusers' Lumina2Transformer2DModel (the same network as the official NextDiT, and the one our parity tests pin
the C++ transformer to) so that it runs on the CPU without the official repository. What is kept exactly:
the texts it tokenizes (system prompt + " <Prompt Start> " before the prompt and before a non-empty negative
prompt), one right-padded batch padded to the longer text (a multiple of 8, at most 256 ids), the grid
linspace(0, 1, N) shifted by t / (t + s - s t), torchdiffeq.odeint on a float32 state, one batched forward of the
conditional and unconditional rows, guidance on all channels and the renorm_cfg clip of the whole latent's norm.
What is ours: the noise comes from a seeded CPU generator instead of torch.randn on CUDA, and the latent shape is
(1, 16, H / 8, W / 8) (sample.py writes [1, 16, latent_w, latent_h], which transposes non-square sizes).
"""
import torch
from torchdiffeq import odeint

SEPARATOR = " <Prompt Start> "


def official_texts(prompt, negative, system_prompt):
    cap = system_prompt + SEPARATOR + prompt
    neg = system_prompt + SEPARATOR + negative if negative != "" else ""
    return cap, neg


def encode(texts, text_encoder, tokenizer):
    """sample.py encode_prompt with proportion_empty_prompts 0."""
    inputs = tokenizer(texts, padding=True, pad_to_multiple_of=8, max_length=256, truncation=True,
                       return_tensors="pt")
    with torch.no_grad():
        feats = text_encoder(input_ids=inputs.input_ids, attention_mask=inputs.attention_mask,
                             output_hidden_states=True).hidden_states[-2]
    return feats, inputs.attention_mask


def grid(num_points, t_shift):
    t = torch.linspace(0.0, 1.0, num_points)
    return t / (t + t_shift - t_shift * t)


def forward_with_cfg(transformer, x, t, cap_feats, cap_mask, cfg_scale, guided, renorm_cfg=1.0):
    """NextDiT.forward_with_cfg with the guided/unguided choice passed in (cfg_trunc by step share)."""
    half = x[: len(x) // 2]
    if guided:
        combined = torch.cat([half, half], dim=0)
        out = transformer(combined, t, cap_feats, cap_mask, return_dict=False)[0]
        cond, uncond = torch.split(out, len(out) // 2, dim=0)
        half_eps = uncond + cfg_scale * (cond - uncond)
        if float(renorm_cfg) > 0.0:
            dims = tuple(range(1, len(cond.shape)))
            max_norm = torch.linalg.vector_norm(cond, dim=dims, keepdim=True) * float(renorm_cfg)
            new_norm = torch.linalg.vector_norm(half_eps, dim=dims, keepdim=True)
            if new_norm >= max_norm:
                half_eps = half_eps * (max_norm / new_norm)
    else:
        half_eps = transformer(half, t[: len(x) // 2], cap_feats[:1], cap_mask[:1], return_dict=False)[0]
    return torch.cat([half_eps, half_eps], dim=0)


def sample(transformer, z, cap_feats, cap_mask, *, intervals, solver, t_shift, cfg_scale, renorm, trunc_ratio,
           t_grid=None):
    """ode.sample: x.float(), odeint on the shifted grid of intervals + 1 points (or the given tail of it, for
    image-to-image); returns the first row. The truncation counts intervals of the whole grid."""
    skipped = 0
    if t_grid is None:
        t_grid = grid(intervals + 1, t_shift)
    else:
        skipped = intervals + 1 - len(t_grid)
    stages = {"euler": 1, "midpoint": 2, "rk4": 4}[solver]
    calls = {"n": 0}
    guided_rows = cfg_scale > 1.0

    def drift(t, x):
        # torchdiffeq's fixed-grid solvers evaluate `stages` times per interval, in order.
        i = skipped + calls["n"] // stages
        calls["n"] += 1
        guided = guided_rows and (i + 1) / intervals <= trunc_ratio
        tb = torch.ones(x.size(0)) * t
        return forward_with_cfg(transformer, x, tb, cap_feats, cap_mask, cfg_scale, guided,
                                renorm_cfg=1.0 if renorm else 0.0).float()

    with torch.no_grad():
        out = odeint(drift, z.float().repeat(2, 1, 1, 1), t_grid, method=solver)
    return out[-1][:1]
