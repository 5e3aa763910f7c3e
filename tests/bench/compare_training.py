#!/usr/bin/env python3
"""Side-by-side training throughput: lora-cli bench against the PyTorch peer.

Runs every workload of issue 23's table alternately (ours with 1 and 2 threads; torch with
1 and 2 threads in each of its two pools, intra-op OpenMP and OpenBLAS; repeated --rounds
times, so machine noise hits both sides alike), takes each configuration's median over the
rounds, and prints one Markdown table with two ratios per workload: one thread each (per
core), and each side's best configuration. Then one core's FMA peak (`lora-cli bench --mode
peak`, measured in the same run), the 1024^3 sgemm and the batch-64 full step as shares of
it, and the evaluation of 2,000 images.

Both sides run OpenBLAS's kernels for this CPU: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
removed from the environment of every command this script starts (and only there; some
machines pin them to older kernels). Installs nothing: without torch (Debian's
python3-torch) it prints our side only.

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
PINNING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def best_kernel_env():
    return {k: v for k, v in os.environ.items() if k not in PINNING}


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=best_kernel_env()).stdout
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


def rate(runs):
    return statistics.median(r["samples_per_s"] for r in runs)


def best(results):
    """results: {threads: [json, ...]} -> (threads, median samples/s, median json)."""
    threads = max(results, key=lambda t: rate(results[t]))
    ordered = sorted(results[threads], key=lambda r: r["samples_per_s"])
    return threads, rate(results[threads]), ordered[len(ordered) // 2]


def verdict(ratio, target):
    return "yes" if ratio >= target else "NO"


def print_table(rows, python):
    print("| workload | lora-cli 1 thread | PyTorch 1+1 | ratio, 1 thread each "
          "| lora-cli best (threads) | PyTorch best (OpenMP+BLAS) | ratio, best vs best "
          "| target | met (1 thread / best) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arch, batch, mode, target, mine, theirs in rows:
        one = rate(mine[1])
        mt, mrate, _ = best(mine)
        name = f"{arch}, batch {batch}, {mode}"
        if not python:
            print(f"| {name} | {one:,.0f} | - | - | {mrate:,.0f} ({mt}) | - | - | >= {target}x "
                  "| - |")
            continue
        peer_one = rate(theirs[(1, 1)])
        pt, prate, _ = best(theirs)
        r1, rb = one / peer_one, mrate / prate
        print(f"| {name} | {one:,.0f} | {peer_one:,.0f} | {r1:.2f}x | {mrate:,.0f} ({mt}) "
              f"| {prate:,.0f} ({pt[0]}+{pt[1]}) | {rb:.2f}x | >= {target}x "
              f"| {verdict(r1, target)} / {verdict(rb, target)} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(HERE, "../../build/app/lora-cli"))
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    python = torch_python()
    if python is None:
        print("note: torch is not importable; printing lora-cli's side only", file=sys.stderr)

    rows, peaks, sgemm, full_step = [], [], [], []
    for arch, batch, mode, target in WORKLOADS:
        mine = {t: [] for t in THREADS}
        theirs = {t: [] for t in PEER_THREADS}
        for _ in range(a.rounds):
            for t in THREADS:
                mine[t].append(ours(a.cli, arch, batch, mode, t, a.seconds))
            if python:
                for t in PEER_THREADS:
                    theirs[t].append(peer(python, arch, batch, mode, t, a.seconds))
        rows.append((arch, batch, mode, target, mine, theirs))
        print(f"done {arch} b{batch} {mode}", file=sys.stderr)

    # The peak, the sgemm and the step interleaved, so that a slow minute hits all three.
    for _ in range(a.rounds):
        peaks.append(run_json([a.cli, "bench", "--mode", "peak", "--seconds", "1"]))
        sgemm.append(run_json([a.cli, "bench", "--mode", "sgemm", "--seconds", "1"]))
        full_step.append(ours(a.cli, BIG, 64, "full", 1, a.seconds))
    peak = max(p["gflops"] for p in peaks)
    sgemm_rate = statistics.median(s["gflops"] for s in sgemm)
    step_rate = statistics.median(s["gflops"] for s in full_step)
    evals = {t: statistics.median(
        run_json([a.cli, "bench", "--mode", "eval", "--arch", BIG, "--samples", "2000",
                  "--threads", str(t), "--seconds", "1"])["step_ms_median"]
        for _ in range(a.rounds)) for t in THREADS}
    peer_eval = None
    if python:
        peer_eval = min(statistics.median(
            peer(python, BIG, 64, "eval", t, 1)["step_ms_median"] for _ in range(a.rounds))
            for t in PEER_THREADS)

    info = sgemm[0]
    print(f"CPU: {cpu_line()}")
    print(f"lora-cli: {os.path.abspath(a.cli)} (gemm: {info['blas']}, core {info['blas_core']}, "
          f"used: {info['blas_used']}; Eigen {info['eigen_vector_bits']}-bit); peer: "
          f"{rows[0][5][(1, 1)][0]['peer'] if python else 'none'}; "
          f"{a.rounds} rounds of {a.seconds} s; {', '.join(PINNING)} unset for both")
    print()
    print_table(rows, python)
    print()
    print(f"One core's FMA peak ({peaks[0]['vector_bits']}-bit FMA loop): {peak:.1f} GFLOP/s "
          f"(best of {len(peaks)})")
    print(f"1024^3 sgemm through the core, 1 thread: {sgemm_rate:.1f} GFLOP/s = "
          f"{100 * sgemm_rate / peak:.0f} % of peak (target >= 90 %: "
          f"{verdict(sgemm_rate / peak, 0.9)})")
    print(f"{BIG} full step, batch 64, 1 thread: {step_rate:.1f} GFLOP/s "
          f"({full_step[0]['flops_per_step'] / 1e6:.0f} MFLOP/step) = "
          f"{100 * step_rate / peak:.0f} % of peak (target >= 75 %: "
          f"{verdict(step_rate / peak, 0.75)})")
    print(f"Evaluate 2,000 test images on {BIG}: {evals[1]:.1f} ms (1 thread), "
          f"{evals[2]:.1f} ms (2 threads)"
          + (f"; PyTorch no_grad forward: {peer_eval:.1f} ms" if peer_eval else ""))


if __name__ == "__main__":
    main()
