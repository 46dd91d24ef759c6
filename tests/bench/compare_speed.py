#!/usr/bin/env python3
"""Speed harness: the C++ engine (`cgpgan bench`) against the PyTorch mirror
(tests/bench/mirror.py) on the `bench` preset, same machine, same threads,
same libtorch version, alternating runs so that both see the same noise.
Prints each run, then the median rates, their ratio and peak memory.

    python3 tests/bench/compare_speed.py --cgpgan build/app/cgpgan --threads 2 --rounds 3 --steps 30

Before/after a change: --baseline OTHER_CGPGAN adds a third side (an older
build) to the same alternation. --set run.precision=bf16 (repeatable) passes
a config override to the engine (both engine sides); the mirror always runs
plain fp32, contiguous.

Python must be Debian's /usr/bin/python3 with python3-torch (the libtorch of
libtorch-dev); any python3 can run this script itself.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cgpgan", default=os.path.join(HERE, "..", "..", "build", "app", "cgpgan"))
    ap.add_argument("--python", default="/usr/bin/python3", help="Python with torch (Debian's python3-torch)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=30, help="timed steps per run")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3, help="runs of each implementation, alternating")
    ap.add_argument("--baseline", help="another cgpgan binary (e.g. the build before a change) to alternate with")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="config override for the engine, e.g. run.channels_last=true")
    args = ap.parse_args()

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} (a busy machine slows both sides)")
    def engine(binary):
        cmd = [binary, "bench", "--preset", "bench", "--threads", str(args.threads),
               "--timed-steps", str(args.steps), "--warmup", str(args.warmup)]
        for assignment in args.set:
            cmd += ["--set", assignment]
        return cmd

    cpp_cmd = engine(args.cgpgan)
    py_cmd = [args.python, os.path.join(HERE, "mirror.py"), "--threads", str(args.threads),
              "--steps", str(args.steps), "--warmup", str(args.warmup)]
    sides = [("cpp", cpp_cmd), ("pytorch", py_cmd)]
    if args.baseline:
        sides.insert(1, ("baseline", engine(args.baseline)))
    results = {name: [] for name, _ in sides}
    for r in range(args.rounds):
        for name, cmd in sides:
            res = run(cmd)
            results[name].append(res)
            options = ""
            if "precision" in res:
                options = (f", {res['precision']}, channels_last={res.get('channels_last')}, "
                           f"cudnn_benchmark={res.get('cudnn_benchmark')}")
            print(f"round {r + 1} {name:8s} {res['steps_per_s']:.3f} steps/s  "
                  f"{res['images_per_s']:.1f} img/s  peak RSS {res['peak_rss_mib']:.0f} MiB  "
                  f"(torch {res['torch']}, {res['threads']} threads{options})")
    cpp = statistics.median(r["steps_per_s"] for r in results["cpp"])
    py = statistics.median(r["steps_per_s"] for r in results["pytorch"])
    cpp_mem = max(r["peak_rss_mib"] for r in results["cpp"])
    py_mem = max(r["peak_rss_mib"] for r in results["pytorch"])
    print(f"\nbench preset, {args.threads} threads, median of {args.rounds} runs of {args.steps} steps:")
    print(f"  C++ engine     {cpp:.3f} steps/s  peak RSS {cpp_mem:.0f} MiB")
    print(f"  PyTorch mirror {py:.3f} steps/s  peak RSS {py_mem:.0f} MiB")
    print(f"  ratio C++ / PyTorch = {cpp / py:.2f}x")
    if args.baseline:
        base = statistics.median(r["steps_per_s"] for r in results["baseline"])
        base_mem = max(r["peak_rss_mib"] for r in results["baseline"])
        print(f"  baseline engine {base:.3f} steps/s  peak RSS {base_mem:.0f} MiB")
        print(f"  ratio C++ / baseline = {cpp / base:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
