#!/usr/bin/env bash
# Screenshots of every explorer tab at 1024x640, 1366x768 and 1920x1080
# (issue 12: layouts that hold from small laptops up), taken under Xvfb with
# the explorer's own --screenshot. Trains a short demo checkpoint first so
# that the grid, the charts and the clusters have something to show.
#
#   bash tests/ui/layout_screenshots.sh [BUILD_DIR] [OUT_DIR]
#
# Defaults: build, resources/screenshots/layouts. Needs xvfb-run (Debian: xvfb).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$here/build}"
out="${2:-$here/resources/screenshots/layouts}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "training a 300-step demo checkpoint for the screenshots..."
"$build/app/cgpgan" train --preset demo --steps 300 --threads 2 --grid-every 0 --out "$work/run" 2>/dev/null
# A settings folder of its own: the user's saved window layout stays out of it.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
for size in 1024x640 1366x768 1920x1080; do
  for tab in live codebook clusters map; do
    extra=()
    [ "$tab" = clusters ] && extra=(--assign)
    after=12
    [ "$tab" = map ] && extra=(--map pca) && after=45 # Q over 20000 images first
    xvfb-run -a -s "-screen 0 2560x1600x24" "$build/app/cgpgan-explorer" --checkpoint "$work/run/checkpoint.pt" \
      --size "$size" --tab "$tab" "${extra[@]}" --screenshot "$out/$size-$tab.png" --after "$after" >/dev/null 2>&1
    echo "$out/$size-$tab.png"
  done
done
