#!/usr/bin/env python3
"""Training speed on an idle and on a shared machine (issue 24 item 7).

For each cgpgan binary given (e.g. one built against Debian's libtorch 1.13
and one against PyPI's 2.x) and each preset, runs `cgpgan bench` under:

  fixed     --threads 2 (all cores, never changed): the behaviour before
            issue 24, libgomp's default wait policy;
  passive   --threads 2 with OMP_WAIT_POLICY=PASSIVE (the remedy first tried);
  governed  no --threads (run.threads 0): the threads follow the cores that
            other processes leave free (core/runtime/cgpgan/thread_governor.h),
            the default now;
  1 thread  --threads 1: the reference a shared machine should keep;

each once with the machine idle and once with a busy loop (another process)
on one core. Rounds alternate over everything, so every variant sees the same
noise. Prints the median steps/s per cell and the ratios the issue asks for:
governed / (1 thread) >= 0.8 when busy, and governed within 10 % of the best
before (fixed, or 1 thread) when idle.

    python3 tests/bench/busy_core.py --cgpgan 1.13=build/app/cgpgan --cgpgan 2.x=build-torch2/app/cgpgan \\
        --preset demo --preset mnist-cpu --rounds 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_MNIST = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "mnist")

BUSY_LOOP = "import time\nend = time.time() + 3600\nwhile time.time() < end:\n    pass\n"


def bench(binary, preset, threads, env_extra, steps, warmup):
    cmd = [binary, "bench", "--preset", preset, "--timed-steps", str(steps), "--warmup", str(warmup)]
    if threads:
        cmd += ["--threads", str(threads)]
    if preset.startswith("mnist"):
        if not os.path.isdir(SHARED_MNIST):
            raise SystemExit(f"{preset} needs MNIST at {SHARED_MNIST}")
        cmd += ["--data-path", SHARED_MNIST]
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")}
    env.update(env_extra)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])["steps_per_s"]


VARIANTS = [
    ("fixed", 2, {}),
    ("passive", 2, {"OMP_WAIT_POLICY": "PASSIVE"}),
    ("governed", None, {}),
    ("1 thread", 1, {}),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cgpgan", action="append", required=True, help="LABEL=PATH of a cgpgan binary (repeatable)")
    ap.add_argument("--preset", action="append", help="presets (default: demo, mnist-cpu)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20, help="timed steps per run (busy runs: a quarter)")
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    binaries = [tuple(b.split("=", 1)) if "=" in b else (b, b) for b in args.cgpgan]
    presets = args.preset or ["demo", "mnist-cpu"]
    results = {}
    for r in range(args.rounds):
        for load in ("idle", "busy"):
            busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) if load == "busy" else None
            try:
                if busy:
                    time.sleep(1)
                for label, path in binaries:
                    for preset in presets:
                        for name, threads, env in VARIANTS:
                            # A collapsed run can be 40x slower: fewer steps when busy.
                            steps = args.steps if load == "idle" else max(6, args.steps // 3)
                            sps = bench(path, preset, threads, env, steps, args.warmup)
                            results.setdefault((label, preset, load, name), []).append(sps)
                            print(f"round {r + 1} {load:4} {label:5} {preset:9} {name:8} {sps:7.2f} steps/s", flush=True)
            finally:
                if busy:
                    busy.kill()
                    busy.wait()
    med = {k: statistics.median(v) for k, v in results.items()}
    print()
    print("| build | preset | load | fixed 2 threads | passive 2 threads | governed | 1 thread | governed / 1 thread | governed / best before |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for label, _ in binaries:
        for preset in presets:
            for load in ("idle", "busy"):
                fixed, passive, governed, one = (med[(label, preset, load, n)] for n, _, _ in VARIANTS)
                best = max(fixed, one)
                print(f"| {label} | {preset} | {load} | {fixed:.2f} | {passive:.2f} | {governed:.2f} | {one:.2f} | "
                      f"{governed / one:.2f}x | {governed / best:.2f}x |")
                if load == "busy" and governed < 0.8 * one:
                    ok = False
                if load == "idle" and governed < 0.9 * best:
                    ok = False
    print()
    print("targets (busy: governed >= 0.8x one thread; idle: governed within 10 % of the best before):",
          "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
