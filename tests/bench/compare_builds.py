#!/usr/bin/env python3
"""`cgpgan bench` of several builds side by side (issue 24 item 6: Debian's
libtorch 1.13 against PyPI's 2.x; issue 25: before and after a change).

Rounds alternate over presets, precisions and builds, so that every build sees
the same noise; prints each run, then the median steps/s per cell and each
build's ratio to the first.

    python3 tests/bench/compare_builds.py --cgpgan 1.13=build/app/cgpgan --cgpgan 2.x=build-torch2/app/cgpgan \\
        --preset demo --preset bench --preset mnist-cpu --precision fp32 --precision bf16 --rounds 3

Presets run with their own thread setting (run.threads; 0 = all cores) unless
--threads is given. mnist-cpu reads ../shared/datasets/mnist.
"""
import argparse
import json
import os
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_MNIST = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "mnist")


def bench(binary, preset, precision, steps, warmup, threads):
    cmd = [binary, "bench", "--preset", preset, "--timed-steps", str(steps), "--warmup", str(warmup),
           "--set", f"run.precision={precision}"]
    if threads:
        cmd += ["--threads", str(threads)]
    if preset.startswith("mnist"):
        cmd += ["--data-path", SHARED_MNIST]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cgpgan", action="append", required=True, help="LABEL=PATH (repeatable; the first is the reference)")
    ap.add_argument("--preset", action="append")
    ap.add_argument("--precision", action="append")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    builds = [tuple(b.split("=", 1)) if "=" in b else (b, b) for b in args.cgpgan]
    presets = args.preset or ["bench"]
    precisions = args.precision or ["fp32"]
    rates, rss = {}, {}
    for r in range(args.rounds):
        for preset in presets:
            for precision in precisions:
                for label, path in builds:
                    j = bench(path, preset, precision, args.steps, args.warmup, args.threads)
                    sps = j["steps_per_s"]
                    rates.setdefault((preset, precision, label), []).append(sps)
                    rss.setdefault((preset, precision, label), []).append(j.get("peak_rss_mib", 0))
                    print(f"round {r + 1} {preset:9} {precision:4} {label:6} {sps:7.2f} steps/s "
                          f"({j.get('device', '')}, torch {j.get('torch', '?')})", flush=True)
    print()
    ref = builds[0][0]
    head = " | ".join(f"{label} steps/s" for label, _ in builds)
    ratios = " | ".join(f"{label} / {ref}" for label, _ in builds[1:])
    print(f"| preset | precision | {head} | {ratios} | peak RSS MiB |")
    print("|---|---|" + "---|" * (2 * len(builds)))
    for preset in presets:
        for precision in precisions:
            med = [statistics.median(rates[(preset, precision, label)]) for label, _ in builds]
            mem = " / ".join(f"{statistics.median(rss[(preset, precision, label)]):.0f}" for label, _ in builds)
            cells = " | ".join(f"{m:.2f}" for m in med)
            rcells = " | ".join(f"{m / med[0]:.2f}x" for m in med[1:])
            print(f"| {preset} | {precision} | {cells} | {rcells} | {mem} |")


if __name__ == "__main__":
    main()
