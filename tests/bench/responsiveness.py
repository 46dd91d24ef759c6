#!/usr/bin/env python3
"""Responsiveness of the explorer (issue 3): while it trains at full speed
with the sample grid refreshing, how late does the UI thread run a 10 ms
timer (p99, max), and how many steps/s does training keep compared with the
headless command line on the same preset? Alternates the two, N rounds each,
so both see the same machine noise, and prints every run and the medians.

    python3 tests/bench/responsiveness.py --build build --seconds 30 --rounds 2

Targets: lateness p99 <= 16 ms, max <= 50 ms; UI throughput >= 90% of headless.
Needs xvfb-run (package xvfb) unless a display is set.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON line in output:\n" + text[-2000:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
    ap.add_argument("--preset", default="demo")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--grid-interval", type=float, default=1.0, help="grid refresh period in the UI, seconds")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads for both (0 = all cores)")
    args = ap.parse_args()

    explorer = os.path.join(args.build, "app", "cgpgan-explorer")
    cli = os.path.join(args.build, "app", "cgpgan")
    env = dict(os.environ)
    wrap = []
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        if not shutil.which("xvfb-run"):
            sys.exit("no display and no xvfb-run: install xvfb")
        wrap = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"]
    env["XDG_CONFIG_HOME"] = env.get("XDG_CONFIG_HOME", "/tmp/cgpgan-bench-config")  # don't touch user settings
    env["XDG_DATA_HOME"] = env.get("XDG_DATA_HOME", "/tmp/cgpgan-bench-data")

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    ui_runs, cli_runs = [], []
    for r in range(args.rounds):
        ui = last_json(subprocess.run(
            wrap + [explorer, "--preset", args.preset, "--start", "--measure-latency", str(args.seconds),
                    "--grid-interval", str(args.grid_interval), "--set", f"run.threads={args.threads}",
                    "--set", "train.steps=100000000"],
            check=True, capture_output=True, text=True, env=env).stdout)
        ui_runs.append(ui)
        print(f"round {r + 1} explorer: {ui['steps_per_second']:.3f} steps/s, lateness p50 "
              f"{ui['lateness_p50_ms']:.2f} ms, p99 {ui['lateness_p99_ms']:.2f} ms, max {ui['lateness_max_ms']:.2f} ms "
              f"({ui['timer_samples']} ticks, {ui['grid_refreshes']} grid refreshes, {ui['seconds']:.1f} s)")
        # Headless: about as many steps as the explorer did in its window.
        steps = max(20, int(ui["steps"]))
        hl = last_json(subprocess.run(
            [cli, "bench", "--preset", args.preset, "--threads", str(args.threads), "--timed-steps", str(steps),
             "--warmup", "3"], check=True, capture_output=True, text=True).stdout)
        cli_runs.append(hl)
        print(f"round {r + 1} headless: {hl['steps_per_s']:.3f} steps/s ({steps} steps)")

    ui_rate = statistics.median(u["steps_per_second"] for u in ui_runs)
    cli_rate = statistics.median(h["steps_per_s"] for h in cli_runs)
    p99 = statistics.median(u["lateness_p99_ms"] for u in ui_runs)
    worst = max(u["lateness_max_ms"] for u in ui_runs)
    print(f"median: explorer {ui_rate:.3f} steps/s vs headless {cli_rate:.3f} steps/s = {100 * ui_rate / cli_rate:.1f}%"
          f" (target >= 90%); timer lateness p99 {p99:.2f} ms (target <= 16), max over runs {worst:.2f} ms"
          f" (target <= 50)")


if __name__ == "__main__":
    main()
