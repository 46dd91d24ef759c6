#!/usr/bin/env python3
"""Data-parallel speed (issue 13): `cgpgan train` on one process against the
same run split over N processes on this machine (torch.distributed, Gloo on
loopback), alternating rounds so that every side sees the same noise. Steps/s
come from each run's metrics.csv (the steps' own wall time, after a warm-up),
so start-up and the final save do not count.

    python3 tests/bench/data_parallel.py --cgpgan build/app/cgpgan --preset demo --steps 60 --rounds 3

Sides: 1 process with --threads 2, 1 process with --threads 1, N processes
with --threads 1 each (N = --procs, default 2). The ranks are started
directly with the env:// variables (RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT), as torch.distributed.run would. Extra arguments after `--` go
to every `cgpgan train`.
"""
import argparse
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def steps_per_second(metrics, warmup):
    with open(metrics) as f:
        rows = list(csv.DictReader(f))
    seconds = [float(r["seconds"]) for r in rows[warmup:]]
    return len(seconds) / sum(seconds)


def train(cgpgan, args, out, procs, threads):
    cmd = [cgpgan, "train", *args, "--threads", str(threads), "--out", out, "--grid-every", "0",
           "--checkpoint-every", "0"]
    env = dict(os.environ)
    env.pop("WORLD_SIZE", None)
    if procs == 1:
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return
    port = str(free_port())
    children = []
    for rank in range(procs):
        e = dict(env, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(procs), MASTER_ADDR="127.0.0.1",
                 MASTER_PORT=port)
        children.append(subprocess.Popen(cmd, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    for rank, child in enumerate(children):
        _, err = child.communicate()
        if child.returncode != 0:
            sys.exit(f"rank {rank} failed:\n{err[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cgpgan", default=os.path.join(HERE, "..", "..", "build", "app", "cgpgan"))
    ap.add_argument("--preset", default="demo")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=5, help="first steps of each run left out of the rate")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("extra", nargs="*", help="more `cgpgan train` arguments (after --)")
    a = ap.parse_args()
    args = ["--preset", a.preset, "--steps", str(a.steps), "--device", "cpu", *a.extra]
    sides = [("1 process, 2 threads", 1, 2), ("1 process, 1 thread", 1, 1),
             (f"{a.procs} processes, 1 thread each", a.procs, 1)]
    rates = {name: [] for name, _, _ in sides}
    with tempfile.TemporaryDirectory() as work:
        for r in range(a.rounds):
            for i, (name, procs, threads) in enumerate(sides):
                out = os.path.join(work, f"r{r}-{i}")
                train(a.cgpgan, args, out, procs, threads)
                rate = steps_per_second(os.path.join(out, "metrics.csv"), a.warmup)
                rates[name].append(rate)
                print(f"round {r + 1}: {name}: {rate:.2f} steps/s", flush=True)
    base = statistics.median(rates[sides[0][0]])
    print(f"\n| {a.preset}, {a.steps} steps, {a.rounds} rounds | median steps/s | vs 1 process, 2 threads |")
    print("|---|---|---|")
    for name, _, _ in sides:
        m = statistics.median(rates[name])
        print(f"| {name} | {m:.2f} | {m / base:.2f}x |")


if __name__ == "__main__":
    main()
