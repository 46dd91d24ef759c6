#!/usr/bin/env python3
"""How much of this CPU's peak a training step reaches (issue 24 item 6).

1. FLOPs per step, counted: one SPEC 4 step of tests/bench/mirror.py (the same
   networks and step as the engine, for a preset) with PyTorch's FLOP formulas
   (the ones FlopCounterMode uses) on every matrix multiplication and
   convolution that runs: forward, backward and the double backward of the
   two gradient penalties. The mirror computes the penalties every step and has the paper's
   architecture only, so the count is exact for `bench` (the frozen preset);
   presets with lazy regularisation or other devices differ. (The engine's blur
   has its own backward and runs fewer depthwise convolutions than the
   mirror's; their FLOPs are small beside the 3x3 convolutions.)
2. The machine's GEMM rate at the same threads: torch.mm of fp32 matrices
   (the best of a few sizes, median of repeats), in GFLOP/s.
3. With --steps-per-second S (from `cgpgan bench`), the share of that rate the
   engine reaches: FLOPs per step x S / GEMM rate.

Needs torch >= 2.1 for the FLOP formulas: run it with the PyPI torch of
packaging/torch2.sh (.venv-torch2/bin/python); the GEMM rate of Debian's
libtorch comes from `--gemm-only` under /usr/bin/python3.

    .venv-torch2/bin/python tests/bench/flops.py --preset demo --threads 2 --steps-per-second 5.1
    /usr/bin/python3 tests/bench/flops.py --gemm-only --threads 2
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def gemm_gflops(threads, sizes=(256, 512, 1024), repeats=5):
    torch.set_num_threads(threads)
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        for _ in range(2):
            a.mm(b)
        rates = []
        for _ in range(repeats):
            reps = max(1, int(2e9 // (2 * n ** 3)))
            t = time.perf_counter()
            for _ in range(reps):
                a.mm(b)
            rates.append(2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9)
        best = max(best, statistics.median(rates))
    return best


def step_flops(preset):
    """FLOPs of one mirror step, counted per ATen call with PyTorch's FLOP
    formulas (torch.utils.flop_counter.flop_registry) under a dispatch mode.
    (FlopCounterMode itself tracks modules with hooks that autograd.grad with
    create_graph, the penalties' double backward, does not support.)"""
    import mirror
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.flop_counter import flop_registry

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.total, self.by_op = 0, {}

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            packet = func._overloadpacket
            if packet in flop_registry:
                flops = flop_registry[packet](*args, **kwargs, out_val=out)
                self.total += flops
                self.by_op[str(packet)] = self.by_op.get(str(packet), 0) + flops
            return out

    cfg = mirror.BENCH if preset == "bench" else mirror.preset_config(preset)
    trainer = mirror.Trainer(cfg, 1)
    trainer.step()  # warm up (optimizer state exists from here on)
    counter = Count()
    with counter:
        trainer.step()
    return counter.total, counter.by_op


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="bench")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps-per-second", type=float, help="the engine's rate (cgpgan bench) for the share of peak")
    ap.add_argument("--gemm-only", action="store_true", help="only the GEMM rate (any torch)")
    args = ap.parse_args()
    out = {"torch": torch.__version__, "threads": args.threads}
    out["gemm_gflops"] = round(gemm_gflops(args.threads), 1)
    if not args.gemm_only:
        total, per_op = step_flops(args.preset)
        out.update(preset=args.preset, gflop_per_step=round(total / 1e9, 3),
                   gflop_by_op={k: round(v / 1e9, 3) for k, v in sorted(per_op.items(), key=lambda kv: -kv[1])})
        if args.steps_per_second:
            achieved = total * args.steps_per_second / 1e9
            out.update(steps_per_second=args.steps_per_second, achieved_gflops=round(achieved, 2),
                       share_of_gemm=round(achieved / out["gemm_gflops"], 3))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
