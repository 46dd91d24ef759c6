#!/usr/bin/env python3
"""kill -9 at random moments during training that saves every step (issue 11).

Each round resumes the previous round's checkpoint (a fresh run in the first
round) with `--checkpoint-every 1`, waits a random time and sends SIGKILL.
After every kill: the checkpoint left behind must pass `cgpgan info` (its
config checksum), its step must not go back, and a stale checkpoint.pt.tmp
must not stop the next round from resuming. At the end the last checkpoint is
loaded in full (`cgpgan sample`, which verifies every model tensor's checksum)
and resumed to a clean finish. Prints one table; exits 1 on any failure.

    python3 tests/bench/kill9.py --kills 100             # the benchmark
    python3 tests/bench/kill9.py --kills 6               # what CI runs
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--cgpgan", default=os.path.join(ROOT, "build", "app", "cgpgan"))
    ap.add_argument("--preset", default="demo")
    ap.add_argument("--min-wait", type=float, default=2.0, help="seconds before a kill, at least")
    ap.add_argument("--max-wait", type=float, default=10.0, help="seconds before a kill, at most")
    ap.add_argument("--count", type=int, default=4096, help="samples of built-in data (a quick start)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the run folder")
    args = ap.parse_args()
    if not os.access(args.cgpgan, os.X_OK):
        sys.exit(f"kill9.py: {args.cgpgan} is not an executable: build first or pass --cgpgan")
    if args.kills < 1 or args.min_wait <= 0 or args.max_wait < args.min_wait:
        sys.exit("kill9.py: need --kills >= 1 and 0 < --min-wait <= --max-wait")

    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="cgpgan-kill9-")
    out = os.path.join(work, "run")
    ckpt = os.path.join(out, "checkpoint.pt")
    base = [args.cgpgan, "train", "--out", out, "--checkpoint-every", "1", "--grid-every", "0",
            "--threads", "1", "--steps", "1000000"]
    failures = []
    steps = []          # step in the checkpoint after each kill
    stale_tmp = 0       # kills that left checkpoint.pt.tmp behind
    no_checkpoint = 0   # kills before the first save
    t0 = time.time()
    for k in range(args.kills):
        resume = os.path.exists(ckpt)
        cmd = base + (["--resume", ckpt] if resume
                      else ["--preset", args.preset, "--set", f"data.count={args.count}"])
        wait = rng.uniform(args.min_wait, args.max_wait)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            proc.wait(timeout=wait)
            err = proc.stderr.read().decode(errors="replace")[-400:]
            failures.append(f"round {k}: exited by itself with {proc.returncode} before the kill: {err}")
            break
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stderr.close()
        if os.path.exists(ckpt + ".tmp"):
            stale_tmp += 1
        if not os.path.exists(ckpt):
            no_checkpoint += 1
            if steps:
                failures.append(f"round {k}: the checkpoint of step {steps[-1]} is gone")
            continue
        info = subprocess.run([args.cgpgan, "info", "--json", ckpt], capture_output=True, text=True)
        if info.returncode != 0:
            failures.append(f"round {k}: cgpgan info refused the checkpoint: {info.stderr.strip()[-300:]}")
            break
        step = int(json.loads(info.stdout)["step"])
        if steps and step < steps[-1]:
            failures.append(f"round {k}: the checkpoint went back from step {steps[-1]} to {step}")
        steps.append(step)
        print(f"\rkill {k + 1}/{args.kills}: after {wait:.2f} s, checkpoint at step {step}, "
              f"stale tmp files so far {stale_tmp}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    final = "not run"
    if not failures and os.path.exists(ckpt):
        sample = subprocess.run([args.cgpgan, "sample", ckpt, "--out", os.path.join(work, "grid.png")],
                                capture_output=True, text=True)
        if sample.returncode != 0:
            failures.append(f"final: cgpgan sample refused the checkpoint: {sample.stderr.strip()[-300:]}")
        target = (steps[-1] if steps else 0) + 2
        end = subprocess.run(base[:-2] + ["--steps", str(target), "--resume", ckpt],
                             capture_output=True, text=True)
        if end.returncode != 0:
            failures.append(f"final: resuming to step {target} failed: {end.stderr.strip()[-300:]}")
        final = "loaded in full and resumed to a clean finish" if not failures else "failed"

    print(f"| kills | kills before the first save | stale checkpoint.pt.tmp left | checkpoints refused | "
          f"steps reached | final checkpoint | seconds |")
    print("|---:|---:|---:|---:|---:|---|---:|")
    refused = sum(1 for f in failures if "refused" in f)
    print(f"| {len(steps) + no_checkpoint} | {no_checkpoint} | {stale_tmp} | {refused} | "
          f"{steps[-1] if steps else 0} | {final} | {time.time() - t0:.0f} |")
    for f in failures:
        print("FAILED:", f)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("run folder kept:", work, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
