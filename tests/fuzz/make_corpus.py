#!/usr/bin/env python3
"""Writes the seed corpus of the safetensors header fuzzer (tests/fuzz/corpus/): valid files of every dtype,
with metadata, empty and scalar tensors, and a few near-miss invalid ones. Pure standard library."""
import json
import os
import struct
import sys

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
         "F8_E4M3": 1, "F8_E5M2": 1}


def st(tensors, metadata=None, pad=8):
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = SIZES.get(dtype, 4)
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + n]}
        data += bytes((i * 37) & 255 for i in range(n))
    text = json.dumps(header).encode()
    while (8 + len(text)) % pad:
        text += b" "
    return struct.pack("<Q", len(text)) + text + data


def raw(text, data=b"", length=None):
    text = text.encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "all_dtypes": st([(f"t_{d}", d, [2, 3]) for d in SIZES], {"format": "pt"}),
        "one_f32": st([("w", "F32", [4])]),
        "unpadded": st([("a", "BF16", [3]), ("b", "I64", [1])], pad=1),
        "empty_and_scalar": st([("e", "F32", [0, 5]), ("s", "F16", [])]),
        "metadata_only": st([], {"format": "pt", "note": "x"}),
        "empty_object": raw("{}"),
        "layers": st([(f"layers.{i}.attn.to_q.weight", "BF16", [4, 4]) for i in range(4)]),
        "bad_dtype": raw('{"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4),
        "overlap": raw('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                       '"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', b"\0" * 8),
        "duplicate": raw('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                         '"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"\0\0"),
        "huge_shape": raw('{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}', b"\0" * 4),
        "length_lies": raw("{}", length=1 << 40),
        "nested": raw('{"__metadata__":{"a":"b"},"x":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}}', b"\0" * 4),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name + ".safetensors"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
