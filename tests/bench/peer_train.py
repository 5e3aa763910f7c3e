# PyTorch peer for `lora-cli bench`: the same MLP, batch, Adam and synthetic data, timed
# the same way (median step after warm-up), printing one JSON line. Optional: nothing in
# the product or its tests needs torch. Run with Debian's python3-torch (/usr/bin/python3).
import argparse
import json
import os
import statistics
import sys
import time


def flag_from_argv(name, fallback):
    for i, arg in enumerate(sys.argv):
        if arg == name and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return fallback


# Thread counts must reach OpenMP and OpenBLAS before torch loads them: Debian's OpenBLAS
# otherwise starts one thread per core beside torch's own pool, and the two fight.
# --threads is torch's intra-op (OpenMP) pool, --blas-threads OpenBLAS's (default: same).
os.environ["OMP_NUM_THREADS"] = flag_from_argv("--threads", "1")
os.environ["OPENBLAS_NUM_THREADS"] = flag_from_argv("--blas-threads",
                                                    os.environ["OMP_NUM_THREADS"])

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class LoRALinear(nn.Module):
    """The seeds' adapter: frozen base, A [r, in] small random, B [out, r] zero, scale α/r."""

    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad = False
        self.lora_A = nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.T) @ self.lora_B.T * self.scale


class Mlp(nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = F.relu(x)
        return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="784-64-2")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--mode", choices=["full", "lora", "eval"], default="full")
    p.add_argument("--rank", type=int, default=4)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--blas-threads", type=int, default=None)
    p.add_argument("--samples", type=int, default=2000, help="eval mode: images per pass")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    widths = [int(w) for w in a.arch.split("-")]
    model = Mlp(widths)
    if a.mode == "lora":
        model.layers = nn.ModuleList(LoRALinear(l, a.rank, a.alpha) for l in model.layers)
    trainable = [q for q in model.parameters() if q.requires_grad]

    # A pool of synthetic batches cycled in order, as lora-cli bench does.
    pool = 16
    xs = torch.rand(pool, a.batch, widths[0])
    ys = torch.randint(0, widths[-1], (pool, a.batch))
    if a.mode == "eval":
        data = torch.rand(a.samples, widths[0])

        def step(_):
            with torch.no_grad():
                for start in range(0, a.samples, 256):
                    model(data[start:start + 256]).argmax(1)
        per_step = a.samples
    else:
        opt = torch.optim.Adam(trainable, lr=1e-3, foreach=True)

        def step(i):
            opt.zero_grad()
            loss = F.cross_entropy(model(xs[i % pool]), ys[i % pool])
            loss.backward()
            opt.step()
        per_step = a.batch

    for i in range(5):
        step(i)
    times, start, i = [], time.perf_counter(), 0
    while i < 5 or time.perf_counter() - start < a.seconds:
        t = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t)
        i += 1
    median = statistics.median(times)
    print(json.dumps({
        "peer": f"torch {torch.__version__}",
        "arch": a.arch, "batch": a.batch, "mode": a.mode, "threads": a.threads,
        "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
        "steps": len(times),
        "step_ms_median": median * 1e3,
        "samples_per_s": per_step / median,
    }))


if __name__ == "__main__":
    main()
