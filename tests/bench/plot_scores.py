#!/usr/bin/env python3
"""Learning as a curve (SPEC 8, issue 23): the live clustering score of runs
against training time, one PNG.

Reads each run's metrics.csv (`cgpgan train` writes score_<name>_acc/_nmi/_ari
every run.score_every steps), and plots one score per run against minutes.
The minutes are the run's own training time (the sum of its `seconds` column:
pauses between steps are not counted) unless --steps-per-second gives a rate
measured elsewhere (e.g. `cgpgan bench --preset demo --threads 2`), to put runs
made one thread each beside other work on the time axis of a machine alone.
Prints, per run, the first minute at which the score passed --threshold
("time to clusters") and its last value.

    /usr/bin/python3 tests/bench/plot_scores.py --score combined_acc --threshold 0.5 \\
        --out docs/curves/demo.png seed1=runs/a/metrics.csv seed2=runs/b/metrics.csv

Needs Debian's python3-matplotlib.
"""
import argparse
import csv
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("needs matplotlib: on Debian, apt-get install python3-matplotlib and run /usr/bin/python3")


def read(path, score, rate, offline=None, pause_factor=0):
    """(minutes, value) of every scored row, and the step of each. offline:
    {step: value} scored afterwards from checkpoints of the same run (`cgpgan
    cluster --score-samples`), placed at that step's training time."""
    minutes, values, steps = [], [], []
    offline = dict(offline or {})
    elapsed = 0.0
    limit = float("inf")
    if pause_factor > 0:  # a step that took pause_factor x the median was paused (SIGSTOP): count the median
        with open(path, newline="") as f:
            times = sorted(float(r["seconds"]) for r in csv.DictReader(f) if r["seconds"])
        median = times[len(times) // 2] if times else 0
        limit = pause_factor * median
    with open(path, newline="") as f:
        rows = csv.DictReader(f)
        column = "score_" + score
        if column not in (rows.fieldnames or []):
            sys.exit(f"{path}: no column {column} (columns: {', '.join(c for c in rows.fieldnames if c.startswith('score_'))})")
        for row in rows:
            try:
                seconds = float(row["seconds"])
                elapsed += seconds if seconds <= limit else limit / pause_factor
            except ValueError:
                pass
            step = int(row["step"])
            if row.get(column) in (None, ""):
                if step in offline:
                    row = dict(row, **{column: offline.pop(step)})
                else:
                    continue
            steps.append(step)
            minutes.append(step / rate / 60 if rate else elapsed / 60)
            values.append(float(row[column]))
    return minutes, values, steps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="LABEL=path/to/metrics.csv")
    ap.add_argument("--score", default="combined_acc", help="score_<this> column, e.g. combined_acc, digit_acc")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--steps-per-second", type=float, default=0, help="time axis from steps at this rate")
    ap.add_argument("--title", default="")
    ap.add_argument("--pause-factor", type=float, default=0,
                    help="count a step longer than this many times the median as the median (a paused run)")
    ap.add_argument("--offline", action="append", default=[],
                    help="LABEL=file: lines 'step value' scored from the run's checkpoints afterwards")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    print(f"| run | first minute with {args.score} >= {args.threshold} | at step | last value | at step |")
    print("|---|---|---|---|---|")
    for item in args.runs:
        label, _, path = item.partition("=")
        if not path:
            sys.exit(f"{item}: give LABEL=path/to/metrics.csv")
        offline = {}
        for extra in args.offline:
            name, _, file = extra.partition("=")
            if name == label:
                with open(file) as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) >= 2:
                            offline[int(parts[0])] = parts[1]
        minutes, values, steps = read(path, args.score, args.steps_per_second, offline, args.pause_factor)
        ax.plot(minutes, values, marker=".", linewidth=1.5, label=label)
        first = next((i for i, v in enumerate(values) if v >= args.threshold), None)
        passed = f"{minutes[first]:.1f}" if first is not None else "not reached"
        at = str(steps[first]) if first is not None else "-"
        print(f"| {label} | {passed} | {at} | {values[-1]:.3f} | {steps[-1]} |" if values else f"| {label} | no scores | | | |")
    ax.axhline(args.threshold, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("minutes of training" + (f" (at {args.steps_per_second:g} steps/s)" if args.steps_per_second else ""))
    ax.set_ylabel(args.score.replace("_", " "))
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if args.title:
        ax.set_title(args.title)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
