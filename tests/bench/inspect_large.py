# Issue 22's inspect benchmark: `lora-cli inspect` on a Llama-shaped PEFT adapter of about
# 1 GB (hidden 4096, MLP 11008, q/k/v/o/gate/up/down on every layer), warm, timed and with its
# peak memory read from /usr/bin/time; the "extra" memory is the peak minus that of the same
# command on a one-layer file of the same shape, so the program's own footprint (binary,
# embedded MNIST, allocator) is not counted as the file's. Targets: <= 2 s, extra <= 10 % of
# the file. Wall and CPU (user + system) seconds are both reported: on a shared machine the
# CPU time is the steadier figure.
#
#   python3 tests/bench/inspect_large.py --cli build/app/lora-cli [--layers 50] [--rank 64]
#                                        [--dtype F32|BF16] [--dir /work/bench-tmp]
#
# Needs numpy only; writes its files into --dir and removes them.
import argparse
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

MODULES = [("self_attn.q_proj", 4096, 4096), ("self_attn.k_proj", 4096, 4096),
           ("self_attn.v_proj", 4096, 4096), ("self_attn.o_proj", 4096, 4096),
           ("mlp.gate_proj", 11008, 4096), ("mlp.up_proj", 11008, 4096),
           ("mlp.down_proj", 4096, 11008)]


def write_adapter(folder, layers, rank, dtype):
    os.makedirs(folder)
    rng = np.random.default_rng(0)
    header, offset, shapes = {"__metadata__": {"format": "pt"}}, 0, []
    for layer in range(layers):
        for name, out_f, in_f in MODULES:
            base = f"base_model.model.model.layers.{layer}.{name}"
            shapes.append((base + ".lora_A.weight", (rank, in_f)))
            shapes.append((base + ".lora_B.weight", (out_f, rank)))
    size = 4 if dtype == "F32" else 2
    for name, shape in shapes:
        n = shape[0] * shape[1] * size
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(folder, "adapter_model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, shape in shapes:
            values = rng.standard_normal(shape, dtype=np.float32) * 0.02
            if dtype == "F32":
                f.write(values.astype("<f4").tobytes())
            else:  # BF16: the upper half of each float32 (truncation is fine for test data)
                f.write((values.view("<u4") >> 16).astype("<u2").tobytes())
    config = {"peft_type": "LORA", "r": rank, "lora_alpha": 2 * rank,
              "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                 "down_proj"], "base_model_name_or_path": "llama-shaped"}
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        json.dump(config, f)
    return os.path.getsize(os.path.join(folder, "adapter_model.safetensors"))


def timed_inspect(cli, folder):
    start = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", cli, "inspect", folder], capture_output=True,
                         text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"inspect failed: {run.stderr[-500:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", run.stderr).group(1))
              for kind in ("User", "System"))
    modules = len(json.loads(run.stdout.strip().splitlines()[-1])["modules"])
    return seconds, peak_kb * 1024, modules, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--layers", type=int, default=50)
    ap.add_argument("--rank", type=int, default=64)
    ap.add_argument("--dtype", default="F32", choices=["F32", "BF16"])
    ap.add_argument("--dir", default="/work/bench-tmp")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    work = tempfile.mkdtemp(dir=args.dir)
    try:
        big, small = os.path.join(work, "big"), os.path.join(work, "small")
        size = write_adapter(big, args.layers, args.rank, args.dtype)
        write_adapter(small, 1, args.rank, args.dtype)
        timed_inspect(args.cli, big)  # warms the page cache
        runs = [timed_inspect(args.cli, big) for _ in range(args.repeat)]
        base = statistics.median(timed_inspect(args.cli, small)[1] for _ in range(args.repeat))
        seconds = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[3] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        extra = peak - base
        print(json.dumps({"file_bytes": size, "dtype": args.dtype, "modules": runs[0][2],
                          "seconds_median": round(seconds, 3), "cpu_seconds_median": round(cpu, 3),
                          "runs_seconds": [round(r[0], 3) for r in runs],
                          "peak_rss_mb": round(peak / 2**20, 1),
                          "one_layer_peak_rss_mb": round(base / 2**20, 1),
                          "extra_mb": round(extra / 2**20, 1),
                          "extra_share_of_file": round(extra / size, 4)}))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
