#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora in tests/fuzz/corpus/<target>/.

Standard library only and deterministic. Seeds are small valid inputs (so the fuzzers
start deep inside the parsers) plus the broken safetensors cases of tests/data/broken/.

Usage: python3 scripts/make_fuzz_corpus.py
"""

import gzip
import json
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def safetensors(tensors, dtype="F32", metadata=None):
    """tensors: list of (name, shape, values) in file order."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, shape, values in tensors:
        if dtype == "F32":
            blob = b"".join(struct.pack("<f", v) for v in values)
        else:  # F16
            blob = b"".join(struct.pack("<e", v) for v in values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def ramp(n, step=0.01):
    return [step * (i % 17 - 8) for i in range(n)]


def adapter_tensors(rank, prefix="base_model.model.", suffix=".weight", layers=(("fc1", 10, 6), ("fc3", 4, 3))):
    out = []
    for name, fan_in, fan_out in layers:
        out.append((f"{prefix}{name}.lora_A{suffix}", [rank, fan_in], ramp(rank * fan_in)))
        out.append((f"{prefix}{name}.lora_B{suffix}", [fan_out, rank], ramp(fan_out * rank, 0.02)))
    return out


def adapter_input(config, weights):
    text = json.dumps(config).encode()
    return struct.pack("<H", len(text)) + text + weights


def idx_images(count, rows, cols):
    pixels = bytes((i * 37) % 256 for i in range(count * rows * cols))
    return struct.pack(">IIII", 0x00000803, count, rows, cols) + pixels


def idx_labels(count):
    return struct.pack(">II", 0x00000801, count) + bytes(i % 10 for i in range(count))


def write(target, name, data):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    # Only the targets written here: input_gate's seeds are kept by hand.
    for target in ("safetensors", "adapter", "idx", "architecture", "lora_file"):
        shutil.rmtree(os.path.join(OUT, target), ignore_errors=True)
    base = {"fc1.weight": ([6, 10], 60), "fc1.bias": ([6], 6)}
    write("safetensors", "model.safetensors",
          safetensors([(k, s, ramp(n)) for k, (s, n) in base.items()],
                      metadata={"format": "pt", "lora_explorer.architecture": "10-6"}))
    write("safetensors", "adapter_f16.safetensors", safetensors(adapter_tensors(2), "F16"))
    write("safetensors", "empty.safetensors", safetensors([]))
    broken = os.path.join(ROOT, "tests", "data", "broken")
    for name in sorted(os.listdir(broken)):
        if name.endswith(".safetensors"):
            shutil.copy(os.path.join(broken, name), os.path.join(OUT, "safetensors", name))

    config = {"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["fc1", "fc3"]}
    write("adapter", "plain", adapter_input(config, safetensors(adapter_tensors(2))))
    write("adapter", "default_name_f16",
          adapter_input(dict(config, use_rslora=True),
                        safetensors(adapter_tensors(2, suffix=".default.weight"), "F16")))
    patterned = dict(config, rank_pattern={"fc3": 1}, alpha_pattern={"fc1": 8})
    tensors = adapter_tensors(2, prefix="", layers=(("fc1", 10, 6),))
    tensors += adapter_tensors(1, prefix="", layers=(("fc3", 4, 3),))
    write("adapter", "patterns", adapter_input(patterned, safetensors(tensors)))

    write("idx", "images.idx3", idx_images(3, 4, 4))
    write("idx", "labels.idx1", idx_labels(5))
    write("idx", "images.idx3.gz", gzip.compress(idx_images(2, 28, 28), mtime=0))
    write("idx", "labels.idx1.gz", gzip.compress(idx_labels(7), mtime=0))

    # Real LoRA files of every format inspect reads (small shapes).
    write("lora_file", "peft.safetensors", safetensors(adapter_tensors(2)))
    kohya = [("lora_unet_conv.lora_down.weight", [2, 3, 3, 3], ramp(54)),
             ("lora_unet_conv.lora_up.weight", [4, 2, 1, 1], ramp(8, 0.02)),
             ("lora_unet_conv.alpha", [], [1.0]),
             ("lora_te1_q.lora_down.weight", [2, 5], ramp(10)),
             ("lora_te1_q.lora_up.weight", [5, 2], ramp(10, 0.02))]
    write("lora_file", "kohya.safetensors",
          safetensors(kohya, metadata={"ss_network_dim": "2", "ss_tag_frequency": '{"a": {"b": 1}}'}))
    diffusers = adapter_tensors(2, prefix="unet.")
    write("lora_file", "diffusers.safetensors",
          safetensors(diffusers, "F16", metadata={"lora_adapter_metadata": '{"r": 2, "lora_alpha": 1}'}))
    lycoris = [("m.hada_w1_a", [4, 2], ramp(8)), ("m.hada_w1_b", [2, 3], ramp(6)),
               ("m.hada_w2_a", [4, 2], ramp(8, 0.02)), ("m.hada_w2_b", [2, 3], ramp(6, 0.02)),
               ("m.alpha", [], [1.0]), ("k.lokr_w1", [2, 2], ramp(4)),
               ("k.lokr_w2_a", [3, 1], ramp(3)), ("k.lokr_w2_b", [1, 2], ramp(2))]
    write("lora_file", "lycoris.safetensors", safetensors(lycoris))

    for i, arch in enumerate(["784-64-2", "784-1000-2000-10", "784--2", "0-10", "784-99999999-2", "3"]):
        write("architecture", f"arch{i}", arch.encode())


if __name__ == "__main__":
    main()
