#!/usr/bin/env python3
"""The explorer soak (issue 11): an hour of training under Xvfb with grid
refreshes, cluster assignment and codebook page edits in a loop, resident
memory sampled every minute by the explorer itself (`--soak`).

Prints one line per minute and a summary: resident memory just after minute
5 and over the last minutes (medians of five samples), the growth between
them (target: below 5 %) and the peak. Writes the samples
as CSV (--csv) for the README's figure.

    python3 tests/bench/soak.py --minutes 60 --csv soak.csv
    python3 tests/bench/soak.py --minutes 3              # a short look
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--explorer", default=os.path.join(ROOT, "build", "app", "cgpgan-explorer"))
    ap.add_argument("--preset", default="demo")
    ap.add_argument("--settle", type=float, default=5, help="minutes excluded from the growth (warm-up)")
    ap.add_argument("--csv", help="write minute, rss_mib, step, ... here")
    ap.add_argument("--limit", type=float, default=5.0, help="allowed growth after --settle, percent")
    ap.add_argument("--summarise", metavar="CSV", help="only print the summary of an earlier run's --csv")
    args = ap.parse_args()
    if args.summarise:
        with open(args.summarise, newline="") as f:
            rows = [{k: float(v) if "." in v else int(v) for k, v in r.items()} for r in csv.DictReader(f)]
        sys.exit(summarise(rows, args))
    if not os.access(args.explorer, os.X_OK):
        sys.exit(f"soak.py: {args.explorer} is not an executable: build first or pass --explorer")
    if shutil.which("xvfb-run") is None and not os.environ.get("DISPLAY"):
        sys.exit("soak.py: needs a display or xvfb-run (apt-get install xvfb xauth)")

    # A clean autosave folder and settings: the soak starts like a first launch.
    env = dict(os.environ, XDG_CONFIG_HOME="/tmp/cgpgan-soak/config", XDG_DATA_HOME="/tmp/cgpgan-soak/data")
    shutil.rmtree("/tmp/cgpgan-soak", ignore_errors=True)
    cmd = [args.explorer, "--preset", args.preset, "--soak", str(args.minutes * 60), "--grid-interval", "2",
           "--size", "1440x900"]
    if not os.environ.get("DISPLAY"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"] + cmd
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    rows = []
    for line in proc.stdout:
        line = line.strip()
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        rows.append(row)
        print(f"minute {row['minute']:3d}: {row['rss_mib']:8.1f} MiB resident, step {int(row['step'])}, "
              f"{row['grid_refreshes']} grids, {row['cluster_assignments']} assignments, "
              f"{row['page_edits']} page edits", flush=True)
    rc = proc.wait()
    if rc != 0 or len(rows) < 2:
        sys.exit(f"soak.py: the explorer exited with {rc} after {len(rows)} samples")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    sys.exit(summarise(rows, args))


def summarise(rows, args):
    # A sample can land inside a cluster assignment (its buffers come and
    # go), so each end of the comparison is the median of five samples: the
    # first five after --settle and the last five. The peak is shown too.
    settled = [r for r in rows if r["minute"] >= args.settle] or rows[-1:]
    median = lambda xs: sorted(xs)[len(xs) // 2]
    start = median([r["rss_mib"] for r in settled[:5]])
    end = median([r["rss_mib"] for r in rows[-5:]])
    last = rows[-1]
    growth = 100.0 * (end - start) / start
    peak = max(r["rss_mib"] for r in rows)
    print()
    print(f"| minutes | RSS, minutes {settled[0]['minute']}-{settled[min(4, len(settled) - 1)]['minute']} (median, MiB) | "
          "RSS, last 5 minutes (median, MiB) | peak (MiB) | growth | steps | grids | assignments | page edits |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {last['minute']} | {start:.1f} | {end:.1f} | {peak:.1f} | {growth:+.2f} % | "
          f"{int(last['step'])} | {last['grid_refreshes']} | {last['cluster_assignments']} | {last['page_edits']} |")
    ok = growth < args.limit
    print(("PASS" if ok else "FAIL") + f": growth after minute {settled[0]['minute']} is {growth:+.2f} % "
          f"(limit {args.limit:g} %)")
    return 0 if ok else 1


if __name__ == "__main__":
    main()
