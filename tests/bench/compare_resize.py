# Issue 22's resize benchmark: `lora-cli resize` against kohya's algorithm (sd-scripts
# networks/resize_lora.py: per module ΔW = up @ down materialised in float32, a full SVD,
# the top r′ kept as U·S and Vh) run in PyTorch, one thread each, side by side, on a
# Llama-shaped PEFT adapter written here (hidden 4096, MLP 11008, ranks 16/32/64). Both must
# retain the same Frobenius share per module to 1e-4.
#
#   python3 tests/bench/compare_resize.py --cli build/app/lora-cli [--layers 1] [--rank 8]
#
# Needs numpy and PyTorch (Debian: python3-torch); installs nothing. The peer is given
# full_matrices=False, which only makes it faster than kohya's own call.
import argparse
import json
import os
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
RANKS = [16, 32, 64]


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        out[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(e["shape"])
    return out


def make_adapter(folder, layers):
    rng = np.random.default_rng(0)
    tensors, patterns, k = {}, {}, 0
    for layer in range(layers):
        for name, out, inp in MODULES:
            r = RANKS[k % len(RANKS)]
            k += 1
            path = f"model.layers.{layer}.{name}"
            key = f"base_model.model.{path}"
            # A decaying spectrum, as trained adapters have: column j of B scaled by 0.8^j.
            tensors[key + ".lora_A.weight"] = rng.standard_normal((r, inp), np.float32) / 64
            decay = (0.8 ** np.arange(r)).astype(np.float32)
            tensors[key + ".lora_B.weight"] = rng.standard_normal((out, r), np.float32) * decay / 64
            patterns[path] = r
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "adapter_model.safetensors"), tensors, {"format": "pt"})
    config = {"peft_type": "LORA", "r": 16, "lora_alpha": 32, "rank_pattern": patterns,
              "alpha_pattern": {}, "target_modules": [m.split(".")[-1] for m, _, _ in MODULES],
              "base_model_name_or_path": "meta-llama/Llama-2-7b-hf"}
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        json.dump(config, f)


def run_ours(cli, folder, out, rank, env):
    start = time.perf_counter()
    done = subprocess.run([cli, "resize", folder, "--out", out, "--rank", str(rank)],
                          capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - start
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, {m["name"]: m["fro_retained"] for m in result["modules"]}


def run_kohya(folder, rank):
    import torch
    start = time.perf_counter()
    tensors = read_safetensors(os.path.join(folder, "adapter_model.safetensors"))
    retained = {}
    for key in tensors:
        if not key.endswith(".lora_A.weight"):
            continue
        name = key[: -len(".lora_A.weight")]
        down = torch.from_numpy(tensors[key].copy())
        up = torch.from_numpy(tensors[name + ".lora_B.weight"].copy())
        delta = up @ down  # materialised, as resize_lora.py does
        u, s, vh = torch.linalg.svd(delta, full_matrices=False)
        r = min(rank, int(s.shape[0]))
        _new_up, _new_down = u[:, :r] * s[:r], vh[:r]
        retained[name] = float(torch.sqrt((s[:r] ** 2).sum() / (s ** 2).sum()))
    return time.perf_counter() - start, retained


def lapack_in_use():
    """The LAPACK library torch has loaded: Debian's torch takes whatever liblapack.so.3
    points at, and the reference one is many times slower than OpenBLAS."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "lapack" in line or "openblas" in line}
    return sorted(libs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # Both sides at their best kernels, one thread each (issue 23's rule for peer runs).
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if any(k in os.environ for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")) or \
            os.environ.get("OMP_NUM_THREADS") != "1":
        os.execve(sys.executable, [sys.executable] + sys.argv, env)  # torch reads them at import
    import torch
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "llama-adapter")
        make_adapter(folder, args.layers)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        ours, peers, ours_fro, peer_fro = [], [], {}, {}
        for i in range(args.rounds):
            t, ours_fro = run_ours(args.cli, folder, os.path.join(tmp, f"out{i}"), args.rank, env)
            ours.append(t)
            if i == 0:  # the peer takes minutes: once, between our runs
                t, peer_fro = run_kohya(folder, args.rank)
                peers.append(t)
        worst = max(abs(ours_fro[k] - peer_fro[k]) for k in peer_fro)
        print(json.dumps({
            "modules": len(peer_fro), "adapter_bytes": size, "rank": args.rank,
            "ours_median_s": statistics.median(ours), "ours_runs_s": ours,
            "kohya_torch_s": peers[0], "speedup": peers[0] / statistics.median(ours),
            "max_fro_retained_difference": worst,
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "torch_lapack": lapack_in_use()}))


if __name__ == "__main__":
    main()
