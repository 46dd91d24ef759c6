#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60) and prints one
# table: executions, executions/s, corpus size, findings. Builds the
# `sanitize` preset (Clang, ASan + UBSan) first if needed.
#   bash tests/fuzz/run.sh 600            # the issue-11 report: 10 minutes per target
#   bash tests/fuzz/run.sh 20 fuzz_idx    # one target
# Environment: BUILD_DIR (default build-sanitize), WORK (default /tmp/cgpgan-fuzz:
# the grown corpora and any crash inputs), JOBS (parallel targets, default 1),
# SEED (libFuzzer's -seed; default 0 = a new one each run; CI sets 1).
# Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_idx fuzz_cifar fuzz_image fuzz_config fuzz_checkpoint)
build="${BUILD_DIR:-$root/build-sanitize}"
work="${WORK:-/tmp/cgpgan-fuzz}"
jobs="${JOBS:-1}"
seed="${SEED:-0}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: bash tests/fuzz/run.sh SECONDS [TARGET...] (SECONDS a whole number >= 1)" >&2
  exit 2
fi
if [ ! -x "$build/tests/fuzz/fuzz_idx" ] || [ ! -x "$build/app/cgpgan" ]; then
  echo "building the sanitize preset in $build (Clang, ASan + UBSan, libFuzzer)" >&2
  cmake -S "$root" -B "$build" --preset sanitize >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" cgpgan >/dev/null

mkdir -p "$work"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:suppressions=$root/tests/sanitizers/asan.supp"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/sanitizers/ubsan.supp"

# Seeds: the committed corpus, plus a real checkpoint of the smallest preset
# (written by the instrumented command line itself).
seed_checkpoint() {
  local dir="$work/corpus/fuzz_checkpoint"
  [ -f "$dir/toy2d-small-step2.pt" ] && return
  local run="$work/toy2d-run"
  rm -rf "$run"
  # A small model (about 100 KB on disk) so that mutations reach every part of the file.
  "$build/app/cgpgan" train --preset toy-2d --steps 2 --batch 16 --set data.count=64 \
    --set model.mlp_hidden=[16,16] --set model.d_z=8 --set model.d_c=4 \
    --out "$run" --threads 1 >/dev/null 2>"$work/toy2d-run.log" \
    || { echo "could not write the seed checkpoint (see $work/toy2d-run.log)" >&2; exit 1; }
  cp "$run/checkpoint.pt" "$dir/toy2d-small-step2.pt"
}

max_len() {
  case "$1" in
    fuzz_checkpoint) echo 262144 ;;
    fuzz_image) echo 65536 ;;
    fuzz_config) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

run_target() {
  local t="$1" corpus="$work/corpus/$1" artifacts="$work/artifacts/$1/" log="$work/$1.log"
  mkdir -p "$corpus" "$artifacts"
  [ -d "$here/corpus/$t" ] && cp -n "$here/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  [ "$t" = fuzz_checkpoint ] && seed_checkpoint
  local rc=0
  TMPDIR="$work" "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -seed="$seed" -rss_limit_mb=3072 -timeout=30 -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$corpus" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$work/$t.rc"
}

echo "fuzzing ${targets[*]} for $seconds s each (logs and corpora in $work)" >&2
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

status=0
printf '| target | seconds | executions | exec/s | corpus files | findings |\n|---|---:|---:|---:|---:|---|\n'
for t in "${targets[@]}"; do
  log="$work/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  files=$(find "$work/corpus/$t" -type f | wc -l)
  rc=$(cat "$work/$t.rc")
  found="none"
  if [ "$rc" != 0 ]; then
    found="exit $rc: $(grep -m1 -E 'ERROR: |runtime error|deadly signal|out-of-memory|timeout' "$log" | cut -c1-120) (input in $work/artifacts/$t/)"
    status=1
  fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$files" "$found"
done
exit "$status"
