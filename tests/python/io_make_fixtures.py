#!/usr/bin/env python3
"""Safetensors files written by the Python `safetensors` package, for the C++ reader to load back bit-exactly.

Writes into --out:
  dtypes.safetensors          one tensor per dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL F8_E4M3 F8_E5M2),
                              odd shapes, a scalar and an empty tensor, metadata {"format": "pt", ...}
  sharded/                    a state dict split by huggingface_hub.save_torch_state_dict into shards with a
                              model.safetensors.index.json, as transformers/diffusers write large checkpoints
  expected.json               {file: {tensor: {"dtype", "shape", "hex"}}}: the raw little-endian bytes
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file


def raw_hex(t):
    t = t.contiguous()
    return t.reshape(-1).view(torch.uint8).numpy().tobytes().hex() if t.numel() else ""


DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool, "F8_E4M3": torch.float8_e4m3fn, "F8_E5M2": torch.float8_e5m2,
}


def make_tensor(name, dtype, shape, gen):
    if dtype == torch.bool:
        return torch.rand(shape, generator=gen) > 0.5
    if dtype.is_floating_point:
        # Values across the range, with specials that must survive bit-exactly.
        t = (torch.randn(shape, generator=gen, dtype=torch.float64) * 3).to(dtype)
        flat = t.view(-1)
        if flat.numel() >= 4 and dtype not in (torch.float8_e4m3fn,):
            flat[0] = float("inf")
            flat[1] = -0.0
        return t
    info = torch.iinfo(dtype)
    return torch.randint(max(info.min, -(2**40)), min(info.max, 2**40), shape, generator=gen, dtype=torch.int64).to(dtype)


def finite_sum(t):
    """The values as torch reads them (not just the bytes): their float64 sum, NaN and infinities as 0."""
    return float(t.double().nan_to_num(0.0, 0.0, 0.0).sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    gen = torch.Generator().manual_seed(1234)
    expected = {}

    tensors = {}
    for i, (name, dtype) in enumerate(DTYPES.items()):
        tensors[f"t_{name}"] = make_tensor(name, dtype, (3, 5 + i), gen)
    tensors["scalar_F32"] = torch.tensor(2.5)
    tensors["empty_BF16"] = torch.zeros((0, 4), dtype=torch.bfloat16)
    save_file(tensors, os.path.join(args.out, "dtypes.safetensors"), metadata={"format": "pt", "writer": "python"})
    expected["dtypes.safetensors"] = {
        k: {"dtype": n, "shape": list(v.shape), "hex": raw_hex(v), "finite_sum": finite_sum(v)}
        for k, v in tensors.items()
        for n in [next(n for n, d in DTYPES.items() if d == v.dtype)]
    }

    from huggingface_hub import save_torch_state_dict

    state = {f"layers.{i}.weight": torch.randn((16, 16), generator=gen).to(torch.bfloat16) for i in range(6)}
    state["norm.weight"] = torch.randn((16,), generator=gen)
    os.makedirs(os.path.join(args.out, "sharded"), exist_ok=True)
    save_torch_state_dict(state, os.path.join(args.out, "sharded"), max_shard_size=1200)
    expected["sharded"] = {k: {"dtype": "BF16" if v.dtype == torch.bfloat16 else "F32", "shape": list(v.shape),
                               "hex": raw_hex(v), "finite_sum": finite_sum(v)} for k, v in state.items()}

    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
