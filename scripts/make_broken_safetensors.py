#!/usr/bin/env python3
"""Writes the corpus of hand-made broken files in tests/data/broken/.

Standard library only and deterministic: re-running it reproduces every file byte for
byte. tests/core/tst_broken_files.cpp expects one exact error message per file; see
tests/data/broken/README.md for the list.

Usage: python3 scripts/make_broken_safetensors.py [output-dir]
"""

import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "tests", "data", "broken")

NAN = struct.unpack("<f", b"\x00\x00\xc0\x7f")[0]  # quiet NaN


def f32(values):
    return b"".join(struct.pack("<f", v) for v in values)


def ramp(count, start=0.0, step=0.001):
    # Exactly representable-ish, but deterministic either way: struct packs the same bits.
    return [start + step * i for i in range(count)]


def pad(header):
    """Header text padded with spaces to a multiple of 8, like the reference writer."""
    data = header.encode("utf-8")
    return data + b" " * ((8 - len(data) % 8) % 8)


def raw(header_text, data=b"", length=None):
    """A file from literal header text (so broken JSON and duplicate keys are possible)."""
    header = pad(header_text)
    n = len(header) if length is None else length
    return struct.pack("<Q", n) + header + data


def tensors_file(tensors, metadata=None):
    """A valid F32 safetensors file; tensors is a list of (name, shape, values)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    data = b""
    for name, shape, values in tensors:
        numel = 1
        for d in shape:
            numel *= d
        assert numel == len(values), name
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [offset, offset + 4 * numel]}
        offset += 4 * numel
        data += f32(values)
    return raw(json.dumps(header, separators=(",", ":")), data)


def entry(dtype, shape, begin, end):
    return '{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}' % (
        dtype, json.dumps(shape, separators=(",", ":")), begin, end)


def adapter_config(rank, targets):
    config = {
        "peft_type": "LORA",
        "r": rank,
        "lora_alpha": 8,
        "target_modules": targets,
        "lora_dropout": 0.0,
        "bias": "none",
        "fan_in_fan_out": False,
        "use_rslora": False,
        "init_lora_weights": True,
        "base_model_name_or_path": "lora-explorer",
        "task_type": None,
        "inference_mode": True,
    }
    return (json.dumps(config, indent=2) + "\n").encode("utf-8")


PREFIX = "base_model.model."
ADAPTER_META = {"format": "pt", "lora_explorer.architecture": "784-64-2",
                "lora_explorer.version": "1"}


def fc2_adapter(b_values=None):
    """A rank-4 adapter on fc2 of a 784-64-2 base: lora_A [4,64], lora_B [2,4]."""
    a = ramp(4 * 64, 0.01, 0.0005)
    b = ramp(2 * 4, -0.02, 0.005) if b_values is None else b_values
    return tensors_file([(PREFIX + "fc2.lora_A.weight", [4, 64], a),
                         (PREFIX + "fc2.lora_B.weight", [2, 4], b)], ADAPTER_META)


def cases():
    one = f32([1.0, 2.0])  # 8 bytes: a [2] F32 tensor
    files = {
        "header_too_large.safetensors": struct.pack("<Q", 200_000_000) + b"{}      ",
        "truncated_header.safetensors": b"\x10\x00\x00\x00\x00",
        "header_past_end.safetensors": raw('{"a":' + entry("F32", [2], 0, 8) + "}", one,
                                           length=1000),
        "header_not_json.safetensors": raw('{"a": {"dtype": "F32",', one),
        "header_not_object.safetensors": raw("[1,2]"),
        "overlapping_offsets.safetensors": raw(
            '{"a":%s,"b":%s}' % (entry("F32", [4], 0, 16), entry("F32", [4], 8, 24)),
            f32(ramp(6))),
        "gap_between_tensors.safetensors": raw(
            '{"a":%s,"b":%s}' % (entry("F32", [2], 0, 8), entry("F32", [2], 12, 20)),
            f32(ramp(5))),
        "trailing_bytes.safetensors": raw('{"a":' + entry("F32", [2], 0, 8) + "}",
                                          one + b"\x00\x00\x00\x00"),
        "wrong_dtype_size.safetensors": raw('{"a":' + entry("F32", [3], 0, 8) + "}", one),
        "unknown_dtype.safetensors": raw('{"a":' + entry("I64", [1], 0, 8) + "}", one),
        "duplicate_key.safetensors": raw(
            '{"a":%s,"a":%s}' % (entry("F32", [2], 0, 8), entry("F32", [2], 8, 16)),
            one + one),
        "metadata_not_string.safetensors": raw(
            '{"__metadata__":{"format":"pt","epochs":3},"a":%s}' % entry("F32", [2], 0, 8),
            one),
    }

    # A valid 4-3-2 base model except for one NaN in fc1.weight.
    fc1 = ramp(3 * 4, -0.3, 0.05)
    fc1[5] = NAN
    files["nan_weights.safetensors"] = tensors_file(
        [("fc1.weight", [3, 4], fc1), ("fc1.bias", [3], [0.1, -0.1, 0.0]),
         ("fc2.weight", [2, 3], ramp(6, 0.2, -0.07)), ("fc2.bias", [2], [0.0, 0.5])],
        {"format": "pt", "lora_explorer.architecture": "4-3-2", "lora_explorer.version": "1"})

    # Adapter directories for a 784-64-2 base.
    files["adapter_wrong_shape/adapter_config.json"] = adapter_config(4, ["fc1"])
    files["adapter_wrong_shape/adapter_model.safetensors"] = tensors_file(
        [(PREFIX + "fc1.lora_A.weight", [4, 100], ramp(400, 0.0, 0.0001)),
         (PREFIX + "fc1.lora_B.weight", [64, 4], ramp(256, 0.0, -0.0001))], ADAPTER_META)
    files["adapter_missing_config/adapter_model.safetensors"] = fc2_adapter()
    files["adapter_nan/adapter_config.json"] = adapter_config(4, ["fc2"])
    files["adapter_nan/adapter_model.safetensors"] = fc2_adapter(
        [0.01, 0.02, NAN, 0.04, -0.01, -0.02, -0.03, -0.04])
    return files


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    for rel, data in sorted(cases().items()):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        print("%7d  %s" % (len(data), rel))


if __name__ == "__main__":
    main()
