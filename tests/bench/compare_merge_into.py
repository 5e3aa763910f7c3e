#!/usr/bin/env python3
"""lora-cli merge-into against the machine's copy bandwidth (issue 22: "merge-into streams at
>= 50 % of the machine's measured copy bandwidth").

Writes a Llama-shaped sharded checkpoint (BF16 and F16 layers, model.safetensors.index.json,
config.json) and a PEFT adapter on q/k/v/o at r 16 into a temporary folder under --work, then,
warm, alternately: `cp -r` of the checkpoint folder (the copy peer), `cp -r` followed by `sync`
(the peer with its data on disk, as merge-into's fsync puts it), and `lora-cli merge-into`.
Reports MB/s of each (checkpoint bytes / wall seconds), medians over --rounds, and the ratios.
Deletes everything it wrote. Needs nothing but Python 3: values are a tiled block of normals.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HIDDEN, FFN, VOCAB = 2048, 5632, 32000


def value_block(count, dtype, scale=1.0):
    rng = random.Random(7)
    packed = struct.pack(f"<{count}f", *(rng.gauss(0.0, scale) for _ in range(count)))
    if dtype == "F32":
        return packed
    if dtype == "BF16":  # the top half of each float: truncation is fine for test values
        return b"".join(packed[i + 2:i + 4] for i in range(0, len(packed), 4))
    return struct.pack(f"<{count}e", *struct.unpack(f"<{count}f", packed))


def tiled(block, size):
    reps, rest = divmod(size, len(block))
    return block * reps + block[:rest]


def write_safetensors(path, tensors, blocks):
    """tensors: [(name, dtype, shape)]; data tiled from blocks[dtype]."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    sizes = []
    for name, dtype, shape in tensors:
        n = 1
        for d in shape:
            n *= d
        size = n * (4 if dtype == "F32" else 2)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        sizes.append((dtype, size))
        offset += size
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode())
        for dtype, size in sizes:
            f.write(tiled(blocks[dtype], size))
    return offset


def make_checkpoint(folder, layers, shards):
    blocks = {d: value_block(1 << 20, d, 0.02) for d in ("F16", "BF16", "F32")}
    names = []
    for i in range(layers):
        dtype = "BF16" if i % 2 == 0 else "F16"
        p = f"model.layers.{i}."
        for m in ("q_proj", "k_proj", "v_proj", "o_proj"):
            names.append((p + f"self_attn.{m}.weight", dtype, [HIDDEN, HIDDEN]))
        names.append((p + "mlp.gate_proj.weight", dtype, [FFN, HIDDEN]))
        names.append((p + "mlp.up_proj.weight", dtype, [FFN, HIDDEN]))
        names.append((p + "mlp.down_proj.weight", dtype, [HIDDEN, FFN]))
        names.append((p + "input_layernorm.weight", "F32", [HIDDEN]))
        names.append((p + "post_attention_layernorm.weight", "F32", [HIDDEN]))
    names = ([("model.embed_tokens.weight", "BF16", [VOCAB, HIDDEN])] + names +
             [("model.norm.weight", "F32", [HIDDEN]), ("lm_head.weight", "BF16", [VOCAB, HIDDEN])])
    per = (len(names) + shards - 1) // shards
    weight_map, total = {}, 0
    for k in range(shards):
        part = names[k * per:(k + 1) * per]
        shard = f"model-{k + 1:05d}-of-{shards:05d}.safetensors"
        total += write_safetensors(os.path.join(folder, shard), part, blocks)
        weight_map.update({n: shard for n, _, _ in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"architectures": ["LlamaForCausalLM"], "hidden_size": HIDDEN,
                   "num_hidden_layers": layers}, f)


def make_adapter(folder, layers, rank):
    os.makedirs(folder)
    blocks = {"F32": value_block(1 << 16, "F32", 0.01)}
    tensors = []
    for i in range(layers):
        for m in ("q_proj", "k_proj", "v_proj", "o_proj"):
            p = f"base_model.model.model.layers.{i}.self_attn.{m}"
            tensors.append((p + ".lora_A.weight", "F32", [rank, HIDDEN]))
            tensors.append((p + ".lora_B.weight", "F32", [HIDDEN, rank]))
    write_safetensors(os.path.join(folder, "adapter_model.safetensors"), tensors, blocks)
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        json.dump({"peft_type": "LORA", "r": rank, "lora_alpha": 2 * rank,
                   "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"]}, f)


def folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))


def timed(command, out):
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, shell=isinstance(command, str),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path of lora-cli")
    ap.add_argument("--work", default="/work", help="a folder on a disk with ~5 GB free")
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--shards", type=int, default=3)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    temp = tempfile.mkdtemp(prefix="merge-into-bench-", dir=args.work)
    try:
        base, adapter = os.path.join(temp, "base"), os.path.join(temp, "adapter")
        os.makedirs(base)
        make_checkpoint(base, args.layers, args.shards)
        make_adapter(adapter, args.layers, args.rank)
        size = folder_bytes(base)
        out = os.path.join(temp, "out")
        runs = {
            "cp -r": f"cp -r {base} {out}",
            "cp -r && sync": f"cp -r {base} {out} && sync",
            "lora-cli merge-into": [args.cli, "merge-into", "--base", base, "--adapter", adapter,
                                    "--out", out],
        }
        for command in runs.values():  # warm: the checkpoint and the binary in the page cache
            timed(command, out)
        times = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, command in runs.items():
                times[name].append(timed(command, out))
        print(f"checkpoint: {size / 1e6:.0f} MB in {args.shards} shards, {args.layers} layers, "
              f"adapter r {args.rank} on q/k/v/o ({4 * args.layers} modules)")
        print("| run | median s | MB/s | runs (s) |")
        print("|---|---|---|---|")
        rate = {}
        for name, ts in times.items():
            med = statistics.median(ts)
            rate[name] = size / med / 1e6
            print(f"| {name} | {med:.2f} | {rate[name]:.0f} | "
                  + ", ".join(f"{t:.2f}" for t in ts) + " |")
        ours = rate["lora-cli merge-into"]
        for peer in ("cp -r", "cp -r && sync"):
            print(f"merge-into / {peer}: {ours / rate[peer]:.2f} (target >= 0.50)")
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
