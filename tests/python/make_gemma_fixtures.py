#!/usr/bin/env python3
"""Gemma text-encoder parity fixtures for tests/gemma (hidden_states[-2], as LuminaPipeline uses it).

Builds tiny random transformers GemmaModels (norm weights away from zero, all weights random), saves them with
save_pretrained (safetensors) and records hidden_states[0], [1] and [-2] for left-padded, right-padded and
unpadded batches of hand-made ids. Configs:
  g1_tanh   hidden 32, 3 layers, 4 heads, 1 KV head (MQA), head_dim 8, hidden_act "gelu" (5.23 runs tanh)
  g2_exact  as g1 with exact GELU forced on the module (5.23 would turn "gelu" in a file into tanh, so the
            C++ side passes the activation explicitly, as the spec's switch)
  g3_gqa    hidden 48, 4 layers, 4 heads, 2 KV heads, head_dim 16, rope_theta 500, gelu_pytorch_tanh, saved
            as GemmaForCausalLM (keys with 'model.' prefix and an lm_head) in 2 shards
  g4_gemma2 transformers Gemma2Model (Lumina-Image 2.0's encoder): hidden 32, 5 layers (sliding, full,
            sliding, full, [last]), 4 heads, 2 KV heads, head_dim 8, query_pre_attn_scalar 12 (not head_dim),
            attention soft cap 1.5 (small, so that it bites on these weights), sliding window 4 (shorter than
            the 11-token batches); config.json without layer_types, as the shipped file (transformers 4.4x)
Writes <out>/<name>/ (the model folder) and <out>/<name>.reference.safetensors, plus <out>/meta.json.
"""
import argparse
import json
import shutil
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import Gemma2Config, Gemma2Model, GemmaConfig, GemmaForCausalLM, GemmaModel

CONFIGS = {
    "g1_tanh": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                    num_key_value_heads=1, head_dim=8, hidden_act="gelu", rope_theta=10000.0),
    "g2_exact": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                     num_key_value_heads=1, head_dim=8, hidden_act="gelu", rope_theta=10000.0),
    "g3_gqa": dict(hidden_size=48, intermediate_size=80, num_hidden_layers=4, num_attention_heads=4,
                   num_key_value_heads=2, head_dim=16, hidden_act="gelu_pytorch_tanh", rope_theta=500.0),
    "g4_gemma2": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=5, num_attention_heads=4,
                      num_key_value_heads=2, head_dim=8, hidden_activation="gelu_pytorch_tanh",
                      query_pre_attn_scalar=12, attn_logit_softcapping=1.5, sliding_window=4,
                      final_logit_softcapping=30.0),
}
GEMMA2 = {"g4_gemma2"}
VOCAB = 512


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)  # (1 + w) far from 1
            elif "embed_tokens" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            else:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[-1] ** 0.5)


def batches(seed):
    g = torch.Generator().manual_seed(seed)
    lengths = [11, 5, 1]
    L = 11
    out = {}
    for side in ("left", "right"):
        ids = torch.zeros(len(lengths), L, dtype=torch.long)
        mask = torch.zeros(len(lengths), L, dtype=torch.long)
        for r, n in enumerate(lengths):
            toks = torch.randint(4, VOCAB, (n,), generator=g)
            toks[0] = 2  # <bos>
            sl = slice(L - n, L) if side == "left" else slice(0, n)
            ids[r, sl] = toks
            mask[r, sl] = 1
        out[side] = (ids, mask)
    ids = torch.randint(0, VOCAB, (2, 7), generator=g)
    out["full"] = (ids, torch.ones_like(ids))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    meta = {"transformers": transformers.__version__, "torch": torch.__version__, "models": {}}
    for i, (name, kw) in enumerate(CONFIGS.items()):
        torch.manual_seed(i)
        config_class = Gemma2Config if name in GEMMA2 else GemmaConfig
        cfg = config_class(vocab_size=VOCAB, rms_norm_eps=1e-6, max_position_embeddings=64, pad_token_id=0,
                           bos_token_id=2, eos_token_id=1, **kw)
        folder = args.out / name
        if name in GEMMA2:
            cfg._attn_implementation = "eager"  # the default for Gemma 2 (no SDPA because of the soft cap)
            model = Gemma2Model(cfg).eval()
            randomize(model, 100 + i)
            model.save_pretrained(folder)
            cfg_path = folder / "config.json"
            saved = json.loads(cfg_path.read_text())
            assert saved["layer_types"][:4] == ["sliding_attention", "full_attention"] * 2
            del saved["layer_types"]  # Gemma2Config rebuilds the same alternation when it is absent
            saved["rope_theta"] = saved.pop("rope_parameters")["rope_theta"]
            cfg_path.write_text(json.dumps(saved, indent=2))
        elif name == "g3_gqa":
            lm = GemmaForCausalLM(cfg).eval()
            randomize(lm.model, 100 + i)
            lm.save_pretrained(folder, max_shard_size="60KB")
            model = lm.model
        else:
            if name == "g2_exact":
                cfg.hidden_act = "gelu"  # bypasses the config's gelu -> gelu_pytorch_tanh rewrite: exact erf GELU
            model = GemmaModel(cfg).eval()
            randomize(model, 100 + i)
            model.save_pretrained(folder)
            # Write config.json the way the shipped checkpoint has it (transformers 4.4x: hidden_act "gelu",
            # hidden_activation null, rope_theta at the top level).
            cfg_path = folder / "config.json"
            saved = json.loads(cfg_path.read_text())
            saved["hidden_act"] = "gelu"
            saved["hidden_activation"] = None
            saved["rope_theta"] = saved.pop("rope_parameters")["rope_theta"]
            cfg_path.write_text(json.dumps(saved, indent=2))
        act_module = type(model.layers[0].mlp.act_fn).__name__
        # What transformers itself runs when it loads this folder's config.json.
        loaded = config_class.from_pretrained(folder)
        loaded_act = loaded.hidden_activation if name in GEMMA2 else loaded.hidden_act
        if name in GEMMA2:
            assert loaded.layer_types == cfg.layer_types
        tensors = {}
        with torch.no_grad():
            for side, (ids, mask) in batches(7 + i).items():
                out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
                hs = out.hidden_states
                assert len(hs) == cfg.num_hidden_layers + 1
                tensors[f"{side}.ids"] = ids
                tensors[f"{side}.mask"] = mask
                tensors[f"{side}.hs0"] = hs[0].contiguous()
                tensors[f"{side}.hs1"] = hs[1].contiguous()
                tensors[f"{side}.hs_m2"] = hs[-2].contiguous()
        save_file(tensors, str(args.out / f"{name}.reference.safetensors"))
        meta["models"][name] = {"activation_module": act_module, "config_hidden_act_after_load": loaded_act,
                                "exact_gelu": act_module == "GELUActivation", "layers": cfg.num_hidden_layers}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1))
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
