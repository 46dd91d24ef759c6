#!/usr/bin/env bash
# One entry point for the README's two commands, on Debian 12:
#   bash packaging/run.sh demo   install what is missing, build, open the explorer on the demo
#                                preset (no display: train it headless with the command line)
#   bash packaging/run.sh test   install what is missing, build, run the test suite
# Environment: BUILD_DIR (default build), JOBS (default: all cores).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-$(nproc)}"
what="${1:-}"

case "$what" in
  demo|test) ;;
  *) echo "usage: bash packaging/run.sh demo|test [extra arguments for cgpgan-explorer, or for cgpgan train without a display]" >&2; exit 2 ;;
esac
shift || true

bash "$here/install-deps.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"

if [ "$what" = test ]; then
  # QtTest executables under CTest; the GUI-free suite needs no display.
  ctest --test-dir "$build" --output-on-failure -j 1
elif [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  # The desktop explorer, ready on the demo preset and the built-in data: press Start.
  exec "$build/app/cgpgan-explorer" "$@"
else
  echo "No display: training the demo preset with the headless command line instead of the explorer."
  "$build/app/cgpgan" train --preset demo --out "$root/runs/demo" "$@"
  echo "Samples: $root/runs/demo/grid.png (one per interval in runs/demo/grids/), losses: runs/demo/metrics.csv"
fi
