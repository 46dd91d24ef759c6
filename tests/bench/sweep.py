#!/usr/bin/env python3
"""Sweep configurations x seeds at a fixed budget and write one table (issue 9).

Each configuration is a name and `cgpgan train` arguments (usually `--set
section.field=value` overrides on a preset). Every (configuration, seed) is
trained with `cgpgan train`, then scored with `cgpgan eval --json`: recall,
precision and FID on the built-in extractor, z-diversity, the best NMI of any Q
label against each ground-truth factor, the combined clusters' Hungarian ACC /
NMI / ARI, steps and wall time. Runs alternate between configurations (seed 1
of every configuration, then seed 2, ...), so a machine that slows down part of
the way through hurts them alike. Results: OUT/sweep.csv (one row per run),
OUT/sweep.md (mean +- std over seeds per configuration), each run's folder.

    python3 tests/bench/sweep.py --preset demo --seeds 1 2 3 --out runs/sweep-demo \\
        --config baseline= \\
        --config ms1='--set train.lambda_ms=1' \\
        --config mbstd='--set model.mbstd_group=4'

    # or the configurations in a JSON file: {"name": ["--set", "a=b", ...], ...}
    python3 tests/bench/sweep.py --preset demo --configs configs.json --out runs/sweep

--jobs 2 trains two runs at once, each with --threads 1 (a 2-core machine);
then wall times are per run with one core each. Finished runs (a checkpoint at
the final step and an eval.json) are not redone: delete the folder to redo one.
"""
import argparse
import csv
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CGPGAN = os.path.join(HERE, "..", "..", "build", "app", "cgpgan")

COLUMNS = ["config", "seed", "steps", "train_seconds", "recall", "precision", "fid", "z_diversity",
           "combined_acc", "combined_nmi", "combined_ari"]


def parse_configs(args):
    configs = []
    if args.configs:
        with open(args.configs) as f:
            for name, extra in json.load(f).items():
                configs.append((name, list(extra)))
    for item in args.config or []:
        name, _, extra = item.partition("=")
        if not name:
            sys.exit(f"--config {item!r}: give NAME=ARGS (ARGS may be empty)")
        configs.append((name, shlex.split(extra)))
    if not configs:
        sys.exit("no configurations: give --config NAME=ARGS or --configs FILE.json")
    names = [n for n, _ in configs]
    if len(set(names)) != len(names):
        sys.exit(f"configuration names must be unique: {names}")
    return configs


def factor_scores(clustering):
    """Best NMI of any Q label against each ground-truth factor, e.g. {"shape": 0.6, "colour": 0.95}."""
    best = {}
    for key, s in clustering.get("scores", {}).items():
        if not key.startswith("label") or "_vs_" not in key:
            continue
        factor = key.split("_vs_", 1)[1]
        best[factor] = max(best.get(factor, 0.0), s["nmi"])
    return best


def run_one(args, name, extra, seed, log):
    folder = os.path.join(args.out, name, f"seed{seed}")
    os.makedirs(folder, exist_ok=True)
    eval_path = os.path.join(folder, "eval.json")
    timing_path = os.path.join(folder, "timing.json")
    if os.path.exists(eval_path) and os.path.exists(timing_path):
        log(f"{name} seed {seed}: done before, kept")
    else:
        cmd = [args.cgpgan, "train", "--preset", args.preset, "--out", folder, "--seed", str(seed),
               "--threads", str(args.threads), "--checkpoint-every", "0"]
        if args.steps:
            cmd += ["--steps", str(args.steps)]
        if args.data:
            cmd += ["--data", args.data]
        if args.data_path:
            cmd += ["--data-path", args.data_path]
        cmd += list(args.extra) + extra
        log(f"{name} seed {seed}: training: {' '.join(shlex.quote(c) for c in cmd)}")
        started = time.monotonic()
        with open(os.path.join(folder, "train.log"), "w") as out:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
        seconds = time.monotonic() - started
        if rc != 0:
            log(f"{name} seed {seed}: training failed (exit {rc}), see {folder}/train.log")
            return {"config": name, "seed": seed, "failed": f"train exit {rc}"}
        with open(timing_path, "w") as f:
            json.dump({"train_seconds": seconds}, f)
        ev = [args.cgpgan, "eval", os.path.join(folder, "checkpoint.pt"), "--json", "--samples", str(args.samples),
              "--threads", str(args.threads)]
        if args.data_path:
            ev += ["--data-path", args.data_path]
        res = subprocess.run(ev, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if res.returncode != 0:
            log(f"{name} seed {seed}: eval failed (exit {res.returncode})")
            return {"config": name, "seed": seed, "failed": f"eval exit {res.returncode}"}
        with open(eval_path, "w") as f:
            f.write(res.stdout)
    with open(eval_path) as f:
        e = json.load(f)
    with open(timing_path) as f:
        t = json.load(f)
    row = {"config": name, "seed": seed, "steps": e["step"], "train_seconds": round(t["train_seconds"], 1),
           "recall": e["recall"], "precision": e["precision"], "fid": e["fid"],
           "z_diversity": e.get("z_diversity", {}).get("ratio", float("nan"))}
    clustering = e.get("clustering", {})
    combined = clustering.get("scores", {}).get("combined")
    if combined:
        row.update(combined_acc=combined["hungarian_accuracy"], combined_nmi=combined["nmi"], combined_ari=combined["ari"])
    for factor, nmi in factor_scores(clustering).items():
        row[f"nmi_{factor}"] = nmi
    # d_l = 1 (MNIST): the one label is the combined id; report it as the combined scores.
    if not combined:
        for key, s in clustering.get("scores", {}).items():
            if key.startswith("label0_vs_"):
                row.update(combined_acc=s["hungarian_accuracy"], combined_nmi=s["nmi"], combined_ari=s["ari"])
    log(f"{name} seed {seed}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                            for k, v in row.items() if k not in ("config", "seed")))
    return row


def fmt(values, digits=3):
    values = [v for v in values if isinstance(v, (int, float)) and not math.isnan(v)]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def write_tables(args, configs, rows):
    columns = list(COLUMNS)
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    with open(os.path.join(args.out, "sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    metrics = [c for c in columns if c not in ("config", "seed", "failed")]
    lines = [f"Sweep on preset `{args.preset}`, seeds {' '.join(map(str, args.seeds))}, "
             f"{args.steps or 'preset'} steps, {args.threads} thread(s) per run, {args.jobs} run(s) at once; "
             f"mean ± std over seeds (built-in extractor for recall / precision / FID; `nmi_X`: best Q label vs factor X).",
             "", "| config | args | " + " | ".join(metrics) + " |",
             "|---|---|" + "---|" * len(metrics)]
    for name, extra in configs:
        mine = [r for r in rows if r["config"] == name and "failed" not in r]
        failed = [r for r in rows if r["config"] == name and "failed" in r]
        cells = [fmt([r.get(m, float("nan")) for r in mine], 0 if m in ("steps", "train_seconds") else 3)
                 for m in metrics]
        note = f" ({len(failed)} failed)" if failed else ""
        lines.append(f"| {name}{note} | `{' '.join(extra) or '(preset)'}` | " + " | ".join(cells) + " |")
    with open(os.path.join(args.out, "sweep.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cgpgan", default=DEFAULT_CGPGAN)
    ap.add_argument("--preset", default="demo")
    ap.add_argument("--config", action="append", help="NAME=ARGS, e.g. ms1='--set train.lambda_ms=1' (repeat)")
    ap.add_argument("--configs", help="JSON file {name: [args...]}")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--steps", type=int, default=0, help="training steps (default: the preset's)")
    ap.add_argument("--data", default="")
    ap.add_argument("--data-path", default="")
    ap.add_argument("--samples", type=int, default=2000, help="images for FID / precision / recall")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1, help="runs at once (each with --threads)")
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                    help="arguments for every `cgpgan train` (last on the line)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    configs = parse_configs(args)
    os.makedirs(args.out, exist_ok=True)
    if not os.access(args.cgpgan, os.X_OK):
        sys.exit(f"{args.cgpgan} is not an executable: build first (cmake --build build) or pass --cgpgan")

    started = time.monotonic()

    def log(msg):
        print(f"[{time.monotonic() - started:7.0f} s] {msg}", flush=True)

    # Alternate: seed-major order, so each configuration's runs spread over the sweep.
    plan = [(name, extra, seed) for seed in args.seeds for name, extra in configs]
    log(f"{len(plan)} runs ({len(configs)} configurations x {len(args.seeds)} seeds), {args.jobs} at a time")
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda p: run_one(args, *p, log), plan))
    write_tables(args, configs, rows)
    log(f"wrote {args.out}/sweep.csv and {args.out}/sweep.md")


if __name__ == "__main__":
    main()
