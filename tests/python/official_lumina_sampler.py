"""The official Lumina-Next sampler, the reference of the app's `lumina` preset.

Alpha-VLLM/Lumina-T2X, lumina_next_t2i_mini: demo.py (model_main, encode_prompt), transport.py (ODE) and
models/nextdit.py (NextDiT.forward_with_cfg, NextDiT.precompute_freqs_cis, Attention.forward). That code is not a
package, so its rules are written out here, each function naming the one it follows; the integrator is
torchdiffeq.odeint itself, called the way ODE.sample calls it, and the network is diffusers'
LuminaNextDiT2DModel: the same weights the C++ loads, in the diffusers checkpoint layout.

Used by make_pipeline_fixtures.py (end-to-end references) and make_sampling_fixtures.py (the time grid).
"""
import math

import torch
from diffusers.models.attention_processor import LuminaAttnProcessor2_0
from torchdiffeq import odeint

ROPE_TABLE_SIZE = 384  # forward_with_cfg builds the table for 384 positions a side


def encode_prompt(captions, text_encoder, tokenizer):
    """demo.py encode_prompt (with model_main's tokenizer.padding_side = "right"): the prompt and the negative
    prompt are ONE batch, padded to the longer of the two rounded up to a multiple of 8, truncated at 256 ids,
    and the caption features are the text encoder's second-to-last hidden state."""
    tokenizer.padding_side = "right"
    batch = tokenizer(list(captions), padding=True, pad_to_multiple_of=8, max_length=256, truncation=True,
                      return_tensors="pt")
    with torch.no_grad():
        out = text_encoder(input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                           output_hidden_states=True)
    return out.hidden_states[-2], batch.attention_mask


def time_grid(num_points, t_shift):
    """transport.py ODE.__init__ (use_sd3=False): `num_points` uniform points on [0, 1] in fp32, then the time
    shift t / (t + s - s * t), evaluated in that order."""
    t = torch.linspace(0.0, 1.0, num_points)
    if t_shift:
        t = t / (t + t_shift - t_shift * t)
    return t


def rope_table(head_dim, scale_factor, scale_watershed, timestep):
    """nextdit.py NextDiT.precompute_freqs_cis. The time-aware switch compares the Python float `timestep`
    (forward_with_cfg passes t[0].item()) with the watershed in double precision: linear interpolation
    (frequencies / s) before the watershed, NTK (theta * s) from it on. Returns (384, 384, head_dim / 2) complex64,
    height frequencies and width frequencies interleaved, as diffusers' transformer takes it."""
    linear, ntk = (scale_factor, 1.0) if timestep < scale_watershed else (1.0, scale_factor)
    theta = 10000.0 * ntk
    exponents = torch.arange(0, head_dim, 4)[: head_dim // 4].float() / head_dim
    freqs = 1.0 / (theta**exponents) / linear
    angles = torch.outer(torch.arange(ROPE_TABLE_SIZE, dtype=torch.float), freqs).float()
    cis = torch.polar(torch.ones_like(angles), angles)
    n, q = ROPE_TABLE_SIZE, head_dim // 4
    rows = cis.view(n, 1, q, 1).expand(n, n, q, 1)
    cols = cis.view(1, n, q, 1).expand(n, n, q, 1)
    return torch.cat([rows, cols], dim=-1).flatten(2)


class OfficialAttentionScale(LuminaAttnProcessor2_0):
    """nextdit.py Attention.forward's softmax scale on diffusers' attention: self-attention uses
    sqrt(log_base(seqlen) / head_dim) with proportional attention and sqrt(1 / head_dim) without; the caption
    cross-attention keeps SDPA's default scale, as the official y branch does."""

    def __call__(self, attn, hidden_states, encoder_hidden_states, attention_mask=None, query_rotary_emb=None,
                 key_rotary_emb=None, base_seqlen=None):
        if key_rotary_emb is None:  # the cross-attention (diffusers attn2)
            return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask,
                                    query_rotary_emb, key_rotary_emb)
        seqlen = hidden_states.shape[1]
        head_dim = attn.to_q.out_features // attn.heads
        scale = math.sqrt(math.log(seqlen, base_seqlen) / head_dim) if base_seqlen else math.sqrt(1 / head_dim)
        kept, attn.scale = attn.scale, scale  # without base_sequence_length diffusers uses attn.scale
        try:
            return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask,
                                    query_rotary_emb, key_rotary_emb)
        finally:
            attn.scale = kept


def use_official_attention(transformer):
    for layer in transformer.layers:
        layer.attn1.set_processor(OfficialAttentionScale())
        layer.attn2.set_processor(OfficialAttentionScale())


def forward_with_cfg(transformer, x, t, cap_feats, cap_mask, cfg_scale, scale_factor=1.0, scale_watershed=1.0,
                     base_seqlen=None, proportional_attn=False, guided_channels=3):
    """nextdit.py NextDiT.forward_with_cfg: both rows run on the first half of the state, the RoPE table follows
    t[0].item(), NextDiT.forward drops the learned sigma channels, and guidance mixes only the first 3 channels
    (the official comment's all-channel variant: guided_channels = in_channels); the other channels keep each
    row's own prediction."""
    head_dim = transformer.config.hidden_size // transformer.config.num_attention_heads
    table = rope_table(head_dim, scale_factor, scale_watershed, t[0].item())
    half = x[: len(x) // 2]
    out = transformer(hidden_states=torch.cat([half, half], dim=0), timestep=t, encoder_hidden_states=cap_feats,
                      encoder_mask=cap_mask, image_rotary_emb=table,
                      cross_attention_kwargs={"base_seqlen": base_seqlen if proportional_attn else None},
                      return_dict=False)[0]
    if transformer.config.learn_sigma:
        out = out.chunk(2, dim=1)[0]
    eps, rest = out[:, :guided_channels], out[:, guided_channels:]
    cond, uncond = torch.split(eps, len(eps) // 2, dim=0)
    mixed = uncond + cfg_scale * (cond - uncond)
    return torch.cat([torch.cat([mixed, mixed], dim=0), rest], dim=1)


def sample(transformer, z, cap_feats, cap_mask, *, steps, solver, t_shift, cfg_scale, width, height,
           image_size, scaling="time-aware", watershed=0.3, proportional_attn=True, guided_channels=3,
           grid=None):
    """demo.py model_main + transport.py ODE.sample: the noise repeated for the two CFG rows, torchdiffeq's
    fixed-grid `solver` over the official grid of steps + 1 points (the app counts intervals), the function
    getting t as odeint hands it over (cast to the state dtype) times a row of ones; returns the first row of the
    last state. RoPE scaling as model_main sets it: only extrapolated sizes (W * H > image_size^2) get
    scale_factor = sqrt(W * H / image_size^2). "time-aware" is the demo's; "linear" and "ntk" are the same
    function with a watershed no time reaches (+inf) or every time reaches (0); "none" is the demo's None.
    `grid` replaces the official grid (the app's non-reference sigmoid spacing)."""
    extrapolated = width * height > image_size**2
    if extrapolated and scaling != "none":
        scale_factor = math.sqrt(width * height / image_size**2)
        scale_watershed = {"time-aware": watershed, "linear": math.inf, "ntk": 0.0}[scaling]
    else:
        scale_factor, scale_watershed = 1.0, 1.0
    base_seqlen = (image_size // 16) ** 2

    def velocity(t, x):
        t = torch.ones(x.size(0)).to(x.device) * t
        return forward_with_cfg(transformer, x, t, cap_feats, cap_mask, cfg_scale, scale_factor, scale_watershed,
                                base_seqlen, proportional_attn, guided_channels)

    grid = (time_grid(steps + 1, t_shift) if grid is None else grid).to(z.device)
    with torch.no_grad():
        return odeint(velocity, z.repeat(2, 1, 1, 1), grid, method=solver)[-1][:1]


def decode(vae, latents):
    """demo.py model_main: vae.decode(samples / factor), (x + 1) / 2, clamped to [0, 1]; float CHW."""
    with torch.no_grad():
        image = vae.decode(latents / vae.config.scaling_factor).sample
    return ((image + 1.0) / 2.0).clamp_(0.0, 1.0)[0]


def to_pil_levels(image):
    """torchvision to_pil_image on a float image: mul(255).byte(), i.e. truncation to 8 bits (HWC uint8)."""
    return image.mul(255).byte().permute(1, 2, 0).contiguous()
