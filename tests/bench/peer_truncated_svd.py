# Peer run for bench_truncated_svd: the same decompositions and rank-r reconstructions in
# PyTorch on one thread, to read side by side. Optional; nothing else needs torch.
import time

import torch


def per_call(fn, budget=0.3):
    """Mean seconds per call over at least 3 calls and about `budget` seconds."""
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < budget:
        fn()
        calls += 1
    return (time.perf_counter() - start) / calls


torch.set_num_threads(1)
torch.manual_seed(0)
for m, n, ranks in [(64, 784, [1, 8, 32, 64]), (1000, 2000, [1, 8, 64, 256, 500, 900])]:
    w = torch.randn(m, n)
    t = per_call(lambda: torch.linalg.svd(w.double(), full_matrices=False), budget=0.0)
    print(f"decompose {m}x{n} (double): {t * 1e3:.2f} ms")
    u, s, vh = torch.linalg.svd(w.double(), full_matrices=False)
    left, right = (u * s).float().contiguous(), vh.float().contiguous()
    for r in ranks:
        t = per_call(lambda: left[:, :r] @ right[:r])
        print(f"approximation {m}x{n} r={r}: {t * 1e6:.1f} us")
