#!/usr/bin/env python3
"""Side-by-side training throughput: lora-cli bench against the PyTorch peer.

Runs every workload of issue 5's table alternately (ours with 1 and 2 threads; torch with
1 and 2 threads in each of its two pools, intra-op OpenMP and OpenBLAS, since Debian's
build runs best with one OpenMP and two BLAS threads; repeated --rounds times, so machine
noise hits both sides alike), takes each configuration's median over the rounds, then each
side's best configuration, and prints one Markdown table with the ratios. Also measures Eigen's 1024^3 sgemm
rate and the 784-1000-2000-10 LoRA step's GFLOP/s against it, and the evaluation of 2,000
images. Installs nothing: without torch (Debian's python3-torch) it prints our side only.

usage: compare_training.py [--cli build/app/lora-cli] [--seconds 2] [--rounds 3]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIG = "784-1000-2000-10"
WORKLOADS = [  # (arch, batch, mode, target ratio)
    ("784-64-2", 64, "full", 3.0),
    ("784-64-2", 64, "lora", 3.0),
    (BIG, 64, "full", 1.5),
    (BIG, 64, "lora", 2.0),
    (BIG, 10, "full", 2.0),
    (BIG, 10, "lora", 2.0),
]
THREADS = (1, 2)
PEER_THREADS = ((1, 1), (1, 2), (2, 1), (2, 2))  # (torch intra-op, OpenBLAS)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ours(cli, arch, batch, mode, threads, seconds):
    return run_json([cli, "bench", "--arch", arch, "--batch", str(batch), "--mode", mode,
                     "--rank", "4", "--threads", str(threads), "--seconds", str(seconds)])


def peer(python, arch, batch, mode, threads, seconds):
    omp, blas = threads
    return run_json([python, os.path.join(HERE, "peer_train.py"), "--arch", arch, "--batch",
                     str(batch), "--mode", mode, "--rank", "4", "--threads", str(omp),
                     "--blas-threads", str(blas), "--seconds", str(seconds)])


def torch_python():
    """Debian's interpreter with python3-torch, if any; None otherwise."""
    for python in ("/usr/bin/python3", sys.executable):
        probe = subprocess.run([python, "-c", "import torch"], capture_output=True)
        if probe.returncode == 0:
            return python
    return None


def cpu_line():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
            else:
                name = platform.processor()
    except OSError:
        name = platform.processor()
    return f"{name}, {os.cpu_count()} logical CPUs"


def best(results):
    """results: {threads: [json, ...]} -> (threads, median samples/s, median json)."""
    choice = None
    for threads, runs in results.items():
        rate = statistics.median(r["samples_per_s"] for r in runs)
        if choice is None or rate > choice[1]:
            ordered = sorted(runs, key=lambda r: r["samples_per_s"])
            choice = (threads, rate, ordered[len(ordered) // 2])
    return choice


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(HERE, "../../build/app/lora-cli"))
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    python = torch_python()
    if python is None:
        print("note: torch is not importable; printing lora-cli's side only", file=sys.stderr)

    rows = []
    for arch, batch, mode, target in WORKLOADS:
        mine = {t: [] for t in THREADS}
        theirs = {t: [] for t in PEER_THREADS}
        for _ in range(a.rounds):
            for t in THREADS:
                mine[t].append(ours(a.cli, arch, batch, mode, t, a.seconds))
            if python:
                for t in PEER_THREADS:
                    theirs[t].append(peer(python, arch, batch, mode, t, a.seconds))
        one = statistics.median(r["samples_per_s"] for r in mine[1])
        rows.append((arch, batch, mode, target, best(mine), best(theirs) if python else None, one))
        print(f"done {arch} b{batch} {mode}", file=sys.stderr)

    sgemm = {t: statistics.median(
        run_json([a.cli, "bench", "--mode", "sgemm", "--threads", str(t), "--seconds", "1"])
        ["gflops"] for _ in range(a.rounds)) for t in THREADS}
    evals = {t: statistics.median(
        run_json([a.cli, "bench", "--mode", "eval", "--arch", BIG, "--samples", "2000",
                  "--threads", str(t), "--seconds", "1"])["step_ms_median"]
        for _ in range(a.rounds)) for t in THREADS}
    peer_eval = None
    if python:
        peer_eval = min(statistics.median(
            peer(python, BIG, 64, "eval", t, 1)["step_ms_median"] for _ in range(a.rounds))
            for t in PEER_THREADS)

    print(f"CPU: {cpu_line()}")
    print(f"lora-cli: {os.path.abspath(a.cli)}; peer: "
          f"{rows[0][5][2]['peer'] if python else 'none'}; {a.rounds} rounds of {a.seconds} s")
    print()
    print("| workload | lora-cli samples/s (threads) | PyTorch samples/s (OpenMP+BLAS threads) "
          "| ratio | target | met | lora-cli 1 thread (ratio) |")
    print("|---|---|---|---|---|---|---|")
    for arch, batch, mode, target, (mt, mrate, _), other, one in rows:
        if other:
            pt, prate, _ = other
            ratio = mrate / prate
            print(f"| {arch}, batch {batch}, {mode} | {mrate:,.0f} ({mt}) "
                  f"| {prate:,.0f} ({pt[0]}+{pt[1]} BLAS) "
                  f"| {ratio:.2f}x | >= {target}x | {'yes' if ratio >= target else 'NO'} "
                  f"| {one:,.0f} ({one / prate:.2f}x) |")
        else:
            print(f"| {arch}, batch {batch}, {mode} | {mrate:,.0f} ({mt}) | - | - "
                  f"| >= {target}x | - | {one:,.0f} |")
    print()
    lora_big = next(r for r in rows if r[0] == BIG and r[1] == 64 and r[2] == "lora")
    lt, _, lj = lora_big[4]
    share = lj["gflops"] / sgemm[lt]
    print(f"Eigen 1024^3 sgemm: {sgemm[1]:.1f} GFLOP/s (1 thread), {sgemm[2]:.1f} (2 threads)")
    print(f"{BIG} LoRA r4 step, batch 64, {lt} thread(s): {lj['gflops']:.1f} GFLOP/s "
          f"({lj['flops_per_step'] / 1e6:.0f} MFLOP/step) = {100 * share:.0f} % of sgemm at "
          f"{lt} thread(s) (target >= 60 %: {'yes' if share >= 0.6 else 'NO'})")
    print(f"Evaluate 2,000 test images on {BIG}: {evals[1]:.1f} ms (1 thread), "
          f"{evals[2]:.1f} ms (2 threads)" +
          (f"; PyTorch no_grad forward: {peer_eval:.1f} ms" if peer_eval else ""))


if __name__ == "__main__":
    main()
