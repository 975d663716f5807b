#!/usr/bin/env python3
"""Tokenizer parity fixtures for tests/text (tokenizer.json / tokenizer.model layouts, lower().strip(),
tokenization as LuminaPipeline calls it; docs/text.md).

Trains a small SentencePiece BPE model at test time (byte fallback, <pad>/<eos>/<bos>/<unk> at 0/1/2/3,
identity normalization, no dummy prefix, user-defined symbols), writes it in the layouts a checkpoint can have,
and records what transformers' GemmaTokenizer does with each on a multilingual corpus:

  <out>/model/       tokenizer.model + tokenizer_config.json            (Gemma hub repos)
  <out>/json/        tokenizer.json + tokenizer_config.json, converted by transformers from the .model
                     (the Lumina-Next checkpoint's layout)
  <out>/json_right/  as json/, with padding_side "right" in tokenizer_config.json
  <out>/merge_ranks/ a hand-made tokenizer.json whose merge ranks are not in vocabulary-id order
  <out>/expected.json  corpus, per-layout ids/pieces (truncated to 256), padded batches, negative-prompt batches,
                     the official demo's [prompt, negative] batches (right padding), the empty prompt, the
                     merge_ranks encodings (HF tokenizers), and Python str.lower().strip() of tricky strings.
"""
import argparse
import io
import json
import os
import random
import shutil
from pathlib import Path

import sentencepiece as spm
import transformers
from transformers import GemmaTokenizer

USER_DEFINED = ["<start_of_turn>", "<end_of_turn>", "\n\n", "\n\n\n", "<h1>", "</h1>", "<table>", "\t\t"]
CONTROL = ["<mask>", "<unused0>", "<unused1>", "[multimodal]"]


def corpus():
    base = [
        "A photo of an astronaut riding a horse on the moon, highly detailed, 8k",
        "a cute corgi wearing sunglasses, studio lighting",
        "Oil painting of a lighthouse at dusk; waves crashing!!!",
        "The quick brown fox jumps over the lazy dog. 1234567890",
        "CAPITAL LETTERS and MiXeD CaSe",
        "一只可爱的猫坐在窗台上，阳光明媚",
        "中国山水画，云雾缭绕的山峰和小桥流水",
        "一隻可愛的貓坐在窗臺上，陽光明媚",
        "繁體中文：龍鳳呈祥，書法藝術",
        "富士山と桜、美しい日本の風景",
        "カタカナとひらがなと漢字が混ざった文章です。",
        "서울의 밤거리, 네온사인이 빛나는 풍경",
        "한국어 문장입니다. 아름다운 꽃이 피었습니다",
        "قطة جميلة تجلس على النافذة في ضوء الشمس",
        "مرحبا بالعالم، هذه جملة عربية",
        "חתול חמוד יושב על אדן החלון",
        "שלום עולם, זה משפט בעברית",
        "सूर्यास्त के समय हिमालय के पहाड़",
        "नमस्ते दुनिया, यह एक हिंदी वाक्य है",
        "แมวน่ารักนั่งอยู่บนขอบหน้าต่าง",
        "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่างระหว่างคำ",
        "Кошка сидит на подоконнике в лучах солнца",
        "Привет, мир! Это русское предложение.",
        "Μια γάτα κάθεται στο περβάζι του παραθύρου",
        "ΟΔΥΣΣΕΥΣ και ΣΩΚΡΑΤΗΣ: Γειά σου κόσμε",
        "emoji party 🎉🎊🥳 with cats 🐱🐈",
        "family 👨‍👩‍👧‍👦 and flags 🇯🇵🇫🇷 and hearts ❤️‍🔥",
        "skin tones 👍🏻👍🏼👍🏽👍🏾👍🏿 waving 👋🏽",
        "combining marks: e\u0301 a\u0308 n\u0303 Z\u0335\u0321a\u0336l\u0334g\u0337o",
        "Zalgo: T\u0336\u0322h\u0335\u031bi\u0334s\u0337 i\u0338s\u0335",
        "mixed 日本語 English 한국어 العربية עברית हिंदी ไทย",
        "  leading spaces and trailing spaces  ",
        "runs     of      spaces",
        "tabs\tand\t\tdouble tabs\t\t\tand more",
        "new\nlines\n\nand\n\n\nmore\n\n\n\nlines",
        "\n\n\n\n\n",
        "        ",
        "<bos> looks like a special token <pad> <eos> <unk>",
        "<start_of_turn>user\nDraw a cat<end_of_turn>",
        "<h1>Title</h1><table></table> html-ish",
        "<mask> and <unused0> and <unused1> and [multimodal]",
        "<bos><bos><pad>",
        "<unused00> <unused> <bo s> < bos >",
        "",
        " ",
        "a",
        "ſ ß ẞ ﬁ ﬀ İstanbul ǅ ǈ",
        "math: ∑ ∫ √ ∞ ≈ ≠ ± × ÷ ∂ ∇",
        "rare chars: 𓀀 𓂀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕏 ꙮ",
        "punctuation —– „“ «» ‹› … ‰ § ¶ † ‡",
        "zero\u200bwidth\u200cjoiner\u200dtest\ufeffbom",
        "nbsp\u00a0space\u3000ideographic\u2003em",
        "▁ already has the marker ▁▁ twice",
        "a photo of a cat" * 3,
    ]
    words = ["cat", "dog", "mountain", "river", "sunset", "neon", "city", "forest", "dragon", "castle",
             "猫", "山", "川", "夕日", "街", "고양이", "산", "강", "кот", "гора", "γάτα", "βουνό",
             "قطة", "جبل", "חתול", "הר", "बिल्ली", "पहाड़", "แมว", "ภูเขา", "🐱", "🌄", "✨"]
    rng = random.Random(1234)
    generated = []
    for i in range(170):
        n = rng.randint(1, 14)
        sep = rng.choice([" ", " ", " ", "  ", ", ", "\n", "\t", "、", "。"])
        generated.append(sep.join(rng.choice(words) for _ in range(n)))
    long_prompts = [
        " ".join(rng.choice(words) for _ in range(400)),
        "".join(rng.choice(["猫", "山", "川", "街", "夜", "雪", "花"]) for _ in range(600)),
        ("A very long English description of a fantastic landscape with mountains and rivers and castles, " * 20),
        "🎉" * 300,
        "x" * 1000,
    ]
    return base + generated + long_prompts


# Never seen by the trainer: BPE has to split these from its merges alone.
HELD_OUT = [
    "Photorealistic portrait of an elderly fisherman, weathered skin, golden hour",
    "isometric voxel art of a floating island with waterfalls",
    "watercolour sketch of Parisian rooftops under heavy rain",
    "一位穿着汉服的少女在竹林中弹古筝，电影感光影",
    "賽博朋克風格的台北夜市，霓虹燈與雨水倒影",
    "雪の降る京都の寺院、静かな朝の光",
    "우주 정거장 안에서 라면을 먹는 우주비행사",
    "رائد فضاء يركب حصانا على سطح القمر",
    "ציור שמן של נמל עתיק בשקיעה",
    "एक रोबोट जो बगीचे में फूलों को पानी दे रहा है",
    "ตลาดน้ำยามเช้าพร้อมเรือขายผลไม้หลากสี",
    "Заснеженная избушка в тайге под северным сиянием",
    "Ένας φάρος σε βραχώδη ακτή κατά τη διάρκεια καταιγίδας",
    "pixel-art dungeon, 16-bit palette, torches, treasure chest 💎🗝️",
    "👩🏾‍🚀 astronaut with 🧑🏻‍🎨 painter and 🏳️‍🌈 flag",
    "Ünïcödé dïäcrïtïcs: façade, naïve, coöperate, Ångström, Øresund",
    "mixed: Tokyo東京 Seoul서울 Cairoالقاهرة Delhiदिल्ली",
    "  indented\tcode-like text:\n\tfor i in range(10):\n\t\tprint(i)  ",
    "\u00a0non\u00a0breaking and\u2002en\u2003em spaces",
    "<start_of_turn>model\n<h1>Not a real tag</h2> <unused2> <mask>",
]


def train(prompts, folder):
    rng = random.Random(7)
    extra = []
    for p in prompts:
        if p in HELD_OUT:
            continue
        for line in p.split("\n"):
            if line:
                extra.append(line)
    training = extra * 3 + ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(60)) for _ in range(200)]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training), model_writer=buf, model_type="bpe", vocab_size=2500,
        hard_vocab_limit=False, byte_fallback=True, character_coverage=0.9995,
        pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>", bos_piece="<bos>",
        unk_piece="<unk>", user_defined_symbols=USER_DEFINED, control_symbols=CONTROL,
        normalization_rule_name="identity", add_dummy_prefix=False, remove_extra_whitespaces=False,
        allow_whitespace_only_pieces=True, split_digits=True, max_sentence_length=100000,
        num_threads=1, minloglevel=2)
    (folder / "tokenizer.model").write_bytes(buf.getvalue())


def write_config(folder, **extra):
    cfg_path = folder / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text()) if cfg_path.exists() else {}
    cfg.update({"add_bos_token": True, "add_eos_token": False, "tokenizer_class": "GemmaTokenizer"})
    cfg.update(extra)
    cfg_path.write_text(json.dumps(cfg, indent=1, ensure_ascii=False))


def reference(folder, prompts):
    tok = GemmaTokenizer.from_pretrained(str(folder))
    single = []
    for p in prompts:
        ids = tok(p, max_length=256, truncation=True)["input_ids"]
        full = tok(p)["input_ids"]
        single.append({"ids": ids, "pieces": tok.convert_ids_to_tokens(ids), "untruncated_count": len(full)})
    batches = []
    rng = random.Random(99)
    for b in range(12):
        rows = rng.sample(range(len(prompts)), rng.randint(1, 4))
        texts = [prompts[i] for i in rows]
        enc = tok(texts, padding=True, pad_to_multiple_of=8, max_length=256, truncation=True)
        length = len(enc["input_ids"][0])
        negs = [rng.choice(["", prompts[rng.randrange(len(prompts))]]) for _ in texts]
        neg = tok(negs, padding="max_length", max_length=length, truncation=True)
        batches.append({"rows": rows, "ids": enc["input_ids"], "mask": enc["attention_mask"],
                        "negatives": negs, "neg_ids": neg["input_ids"], "neg_mask": neg["attention_mask"]})
    empty = tok([""], padding=True, pad_to_multiple_of=8, max_length=256, truncation=True)
    # Lumina-T2X demo.py encode_prompt: [prompt, negative] as one batch, right padding, padded to the longer.
    side = tok.padding_side
    tok.padding_side = "right"
    official = []
    for b in range(8):
        rows = rng.sample(range(len(prompts)), 2)
        enc = tok([prompts[i] for i in rows], padding=True, pad_to_multiple_of=8, max_length=256, truncation=True)
        official.append({"rows": rows, "ids": enc["input_ids"], "mask": enc["attention_mask"]})
    tok.padding_side = side
    return {"padding_side": tok.padding_side, "vocab_size": len(tok), "bos_id": tok.bos_token_id,
            "pad_id": tok.pad_token_id, "single": single, "batches": batches,
            "empty": {"ids": empty["input_ids"][0], "mask": empty["attention_mask"][0]},
            "official_batches": official}


def merge_ranks(folder):
    """A tokenizer.json whose merge ranks are not in vocabulary-id order ("b c", rank 0, wins over "a b" although
    "ab" has the lower id; with no "abc" piece the two orders end in different tokens), and what HF tokenizers
    makes of a few strings with it."""
    from tokenizers import Tokenizer

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = 4 + b
    for piece in ["a", "b", "c", "\u2581", "ab", "bc", "\u2581a"]:
        vocab[piece] = len(vocab)
    added = [{"id": i, "content": c, "special": True, "normalized": False, "single_word": False, "lstrip": False,
              "rstrip": False} for c, i in [("<pad>", 0), ("<eos>", 1), ("<bos>", 2), ("<unk>", 3)]]
    spec = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<bos>": {"id": "<bos>", "ids": [2], "tokens": ["<bos>"]}}},
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": ["b c", "a b", "\u2581 a"]},
    }
    folder.mkdir()
    (folder / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False))
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    texts = ["abc", "ab", "abcab", "a abc d", "cab", "bca", "aabcc"]
    gemma = GemmaTokenizer.from_pretrained(str(folder))  # padding side: the class default, no tokenizer_config
    return {"padding_side": gemma.padding_side,
            "encodings": [{"text": t, "ids": tok.encode(t).ids, "pieces": tok.encode(t).tokens} for t in texts]}


def lower_cases():
    cases = ["ΟΔΥΣΣΕΥΣ", "Σ", "AΣ", "AΣB", "AΣ.", "A.Σ", "AΣ\u0301", "AΣ\u0301 b", "ΣA", "İstanbul", "İ",
             "ẞ ß", "ǅ ǈ ǋ", "Ω Å K", "\u1e9e", "ΣΣΣ", "aΣ'Σ", "  padded\t\n", "\x1c\x1dtext\x1e\x1f",
             "\u00a0nbsp\u3000", "\u200bzero width stays\u200b", "\u0085next line\u2028", "Straße", "ＡＢＣ", ""]
    # Every code point below U+20000 (surrogates excluded), in chunks, each chunk also after an 'A' so that
    # Final_Sigma contexts get exercised.
    cps = [c for c in range(0x20000) if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(cps), 512):
        chunk = "".join(chr(c) for c in cps[i:i + 512])
        cases.append(chunk)
    for c in range(0, 0x20000, 7):
        if 0xD800 <= c <= 0xDFFF:
            continue
        cases.append("A" + chr(c) + "\u03a3" + chr(c))
    return [{"input": s, "expected": s.lower().strip()} for s in cases]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    prompts = corpus() + HELD_OUT
    assert len(prompts) >= 200

    model_dir = out / "model"
    model_dir.mkdir()
    train(prompts, model_dir)
    write_config(model_dir)

    json_dir = out / "json"
    GemmaTokenizer.from_pretrained(str(model_dir)).save_pretrained(str(json_dir))
    for f in json_dir.iterdir():
        if f.name not in ("tokenizer.json", "tokenizer_config.json"):
            f.unlink()
    write_config(json_dir)
    right_dir = out / "json_right"
    shutil.copytree(json_dir, right_dir)
    write_config(right_dir, padding_side="right")

    expected = {"transformers": transformers.__version__, "prompts": prompts, "layouts": {}}
    for name, folder in (("model", model_dir), ("json", json_dir), ("json_right", right_dir)):
        expected["layouts"][name] = reference(folder, prompts)
    expected["merge_ranks"] = merge_ranks(out / "merge_ranks")
    expected["lower"] = lower_cases()
    with open(out / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False)
    a, b = expected["layouts"]["model"]["single"], expected["layouts"]["json"]["single"]
    print(f"{len(prompts)} prompts; layouts agree in Python: {a == b}; "
          f"truncated: {sum(s['untruncated_count'] > 256 for s in a)}")


if __name__ == "__main__":
    main()
