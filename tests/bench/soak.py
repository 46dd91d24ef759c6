#!/usr/bin/env python3
"""The explorer soak (issue 11): an hour of training under Xvfb with grid
refreshes, cluster assignment and codebook page edits in a loop, resident
memory sampled every minute by the explorer itself (`--soak`).

Prints one line per minute and a summary: the resident-memory floor (minimum
of ten samples) just after minute 5 and over the last ten minutes, the growth
between them (target: below 5 %), the medians' growth and the peak. Writes the samples
as CSV (--csv) for docs/reliability.md's figure.

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
    ap.add_argument("--svg", help="also draw resident memory per minute as an SVG line chart here")
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


def draw(rows, path):
    """Resident memory per minute as a small SVG line chart (for docs/reliability.md)."""
    w, h, left, bottom = 640, 240, 56, 28
    xs = [r["minute"] for r in rows]
    ys = [r["rss_mib"] for r in rows]
    top = max(ys) * 1.1
    px = lambda m: left + (w - left - 12) * m / max(xs[-1], 1)
    py = lambda v: (h - bottom) - (h - bottom - 12) * v / top
    points = " ".join(f"{px(m):.1f},{py(v):.1f}" for m, v in zip(xs, ys))
    ticks = "".join(f'<line x1="{left}" x2="{w - 12}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#ddd"/>'
                    f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>'
                    for v in range(0, int(top), 200))
    xticks = "".join(f'<text x="{px(m):.1f}" y="{h - 8}" text-anchor="middle">{m}</text>'
                     for m in range(0, int(xs[-1]) + 1, 10))
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
                f'font-size="11">{ticks}{xticks}'
                f'<polyline fill="none" stroke="#2b6cb0" stroke-width="1.5" points="{points}"/>'
                f'<text x="{left}" y="10">resident memory (MiB) per minute of the soak</text></svg>\n')


def summarise(rows, args):
    if getattr(args, "svg", None):
        draw(rows, args.svg)
    # A sample can land inside a cluster assignment, whose buffers come and
    # go (up to +120 MiB for a minute), so each end of the comparison is the
    # floor (the minimum) of ten samples: the first ten after --settle and
    # the last ten. A leak raises the floor; the medians and the peak are
    # printed beside it.
    settled = [r for r in rows if r["minute"] >= args.settle] or rows[-1:]
    head, tail = [r["rss_mib"] for r in settled[:10]], [r["rss_mib"] for r in rows[-10:]]
    median = lambda xs: sorted(xs)[len(xs) // 2]
    start, end = min(head), min(tail)
    last = rows[-1]
    growth = 100.0 * (end - start) / start
    medianGrowth = 100.0 * (median(tail) - median(head)) / median(head)
    peak = max(r["rss_mib"] for r in rows)
    first_minute, tenth = settled[0]["minute"], settled[min(9, len(settled) - 1)]["minute"]
    print()
    print(f"| minutes | RSS floor, minutes {first_minute}-{tenth} (MiB) | RSS floor, last 10 minutes (MiB) | growth "
          "of the floor | growth of the median | peak (MiB) | steps | grids | assignments | page edits |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {last['minute']} | {start:.1f} | {end:.1f} | {growth:+.2f} % | {medianGrowth:+.2f} % | {peak:.1f} | "
          f"{int(last['step'])} | {last['grid_refreshes']} | {last['cluster_assignments']} | {last['page_edits']} |")
    ok = growth < args.limit
    print(("PASS" if ok else "FAIL") + f": the floor grew {growth:+.2f} % after minute {first_minute} "
          f"(limit {args.limit:g} %)")
    return 0 if ok else 1


if __name__ == "__main__":
    main()
