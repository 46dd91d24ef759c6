#!/usr/bin/env bash
# The device check of issue 24, for a lent GPU machine: PyTorch (with its
# C++ libtorch and CMake config), CMake and nvcc; no Qt, no package registry.
# One go, within 8 minutes on one GPU:
#   1. build the engine and `cgpgan` against this machine's torch (CUDA on);
#      `cgpgan info --devices`;
#   2. CPU against CUDA: 5 `bench` steps from one seed, fp32 with TF32 off
#      (NVIDIA_TF32_OVERRIDE=0): every loss of step 1 within 1e-3 relative
#      (plus 1e-5 absolute), steps 2-5 within 5e-2 (the weights move apart
#      through different kernels' rounding);
#   3. bf16 against fp32 on CUDA: step 1's adversarial losses within 2 %,
#      later steps 4x (the bounds of tests/test_speed_options.cpp);
#   4. speed: `cgpgan bench` against the PyTorch mirror (tests/bench/mirror.py)
#      on the same GPU, for `bench` and `paper-afhq` (random 256x256 images);
#   5. with 2 GPUs: 2 ranks under torch.distributed.run (NCCL) against one
#      process, same global batch, 10 steps: losses within 5e-2;
#   6. a few minutes of `demo` on CUDA, then `cgpgan eval`.
# Prints a summary; everything it wrote is in OUT (default cuda-check/; the
# lent machine's $OUT when set). Exits 1 when a comparison fails.
#
#   bash tests/device/cuda_check.sh             # on the GPU machine
#   DRY_RUN=1 bash tests/device/cuda_check.sh   # here: every step that runs on a CPU, smaller
# Environment: PYTHON (default python3: the one with torch), BUILD_DIR,
# SKIP_BUILD=1 (use BUILD_DIR's cgpgan as it is), DEMO_SECONDS (default 150), JOBS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
py="${PYTHON:-python3}"
out="${OUT:-$root/cuda-check}"
mkdir -p "$out"
build="${BUILD_DIR:-$root/build-cuda-check}"
jobs="${JOBS:-$(nproc)}"
dry="${DRY_RUN:-0}"
demo_seconds="${DEMO_SECONDS:-150}"
log="$out/summary.txt"
: > "$log"
say() { echo "$*" | tee -a "$log"; }
failures=0
t0=$SECONDS

gpus="$("$py" -c 'import torch; print(torch.cuda.device_count())')"
if [ "$gpus" = 0 ] && [ "$dry" != 1 ]; then
  echo "no CUDA device is visible to $py; for a CPU rehearsal run with DRY_RUN=1" >&2
  exit 2
fi
dev=cuda
[ "$dry" = 1 ] && dev=cpu
say "== cuda_check: $gpus GPU(s), device $dev$([ "$dry" = 1 ] && echo ' (dry run)')"

# 1. Build.
prefix="$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
cuda_args=()
if command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  cuda_args=(-DCMAKE_CUDA_COMPILER="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCGPGAN_BUILD_UI=OFF -DCGPGAN_BUILD_TESTS=OFF \
    -DCMAKE_PREFIX_PATH="$prefix" -DTORCH_CUDA_ARCH_LIST="8.0;9.0" "${cuda_args[@]}" > "$out/configure.log" 2>&1
  cmake --build "$build" -j "$jobs" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
  say "-- built in $((SECONDS - t0)) s"
fi
cg="$build/app/cgpgan"
"$cg" info --devices | tee -a "$log"

# Compares two metrics.csv files: compare.py A B STEP1_REL LATER_REL COLUMNS...
compare() {
  "$py" - "$@" <<'EOF'
import csv, sys
a, b, first, later = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
cols = sys.argv[5:]
ra, rb = list(csv.DictReader(open(a))), list(csv.DictReader(open(b)))
worst, ok = 0.0, True
for x, y in zip(ra, rb):
    bound = first if x["step"] == "1" else later
    for c in cols:
        if x[c] == "" or y[c] == "":
            continue
        u, v = float(x[c]), float(y[c])
        rel = abs(u - v) / max(abs(u), abs(v), 1e-12)
        if abs(u - v) > 1e-5 and rel > bound:
            ok = False
            print(f"  step {x['step']} {c}: {u:.7g} vs {v:.7g} (relative {rel:.2e} > {bound:g})")
        if abs(u - v) > 1e-5:
            worst = max(worst, rel)
print(f"  {len(ra)} steps, largest relative difference {worst:.2e}: {'within' if ok else 'OUTSIDE'} the bounds")
sys.exit(0 if ok else 1)
EOF
}
losses=(d_adv r2 cls cgp g_adv s_real s_fake)
train() { # OUTDIR DEVICE STEPS extra...
  local folder="$1" device="$2" steps="$3"; shift 3
  NVIDIA_TF32_OVERRIDE=0 "$cg" train --preset bench --steps "$steps" --device "$device" --out "$folder" \
    --grid-every 0 --checkpoint-every 0 "$@" > "$folder.log" 2>&1
}

# 2. CPU against CUDA (on a dry run: CPU against CPU, which must agree exactly).
if [ "$dev" = cuda ] || [ "$dry" = 1 ]; then
  train "$out/fp32-cpu" cpu 5
  train "$out/fp32-$dev" "$dev" 5
  say "-- CPU vs $dev, fp32, TF32 off, 5 bench steps (step 1 within 1e-3, later 5e-2):"
  if compare "$out/fp32-cpu/metrics.csv" "$out/fp32-$dev/metrics.csv" 1e-3 5e-2 "${losses[@]}" | tee -a "$log"; then :; else failures=$((failures + 1)); fi
fi

# 3. bf16 against fp32 on the device.
train "$out/bf16-$dev" "$dev" 5 --set run.precision=bf16
say "-- bf16 vs fp32 on $dev (adversarial losses: step 1 within 2 %, later 8 %):"
if compare "$out/fp32-$dev/metrics.csv" "$out/bf16-$dev/metrics.csv" 0.02 0.08 d_adv g_adv | tee -a "$log"; then :; else failures=$((failures + 1)); fi

# 4. Speed against the PyTorch mirror on the same device.
bench_steps=30; afhq_steps=10
[ "$dry" = 1 ] && { bench_steps=3; afhq_steps=1; }
say "-- speed on $dev (cgpgan bench vs tests/bench/mirror.py, same torch):"
for preset in bench paper-afhq; do
  steps=$bench_steps; extra=()
  if [ "$preset" = paper-afhq ]; then
    steps=$afhq_steps
    extra=(--set data.kind=builtin --set data.count=64)
    [ "$dry" = 1 ] && extra+=(--set train.batch=2)
  fi
  warm=2; [ "$dry" = 1 ] && warm=1
  engine="$("$cg" bench --preset "$preset" --device "$dev" --timed-steps "$steps" --warmup "$warm" "${extra[@]}" 2>>"$out/bench.log" | tail -1)"
  mirror_args=(--preset "$preset" --device "$dev" --steps "$steps" --warmup "$warm")
  [ "$dry" = 1 ] && [ "$preset" = paper-afhq ] && mirror_args+=(--batch 2)
  mirror="$("$py" "$root/tests/bench/mirror.py" "${mirror_args[@]}" 2>>"$out/bench.log" | tail -1)"
  "$py" - "$preset" "$engine" "$mirror" <<'EOF' | tee -a "$log"
import json, sys
preset, e, m = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
es, ms = e.get("steps_per_second", e.get("steps_per_s")), m["steps_per_s"]
print(f"  {preset:10} engine {es:8.2f} steps/s   mirror {ms:8.2f} steps/s   engine / mirror {es / ms:5.2f}x")
EOF
done

# 5. Two ranks (NCCL) against one process.
if [ "$gpus" -ge 2 ]; then
  train "$out/one-process" cuda 10
  NVIDIA_TF32_OVERRIDE=0 "$py" -m torch.distributed.run --standalone --nproc_per_node 2 --no_python \
    "$cg" train --preset bench --steps 10 --device cuda --out "$out/two-ranks" --grid-every 0 --checkpoint-every 0 \
    > "$out/two-ranks.log" 2>&1
  grep -m1 -o "data-parallel on .*" "$out/two-ranks.log" | tee -a "$log" || true
  say "-- 2 ranks (NCCL) vs 1 process, 10 bench steps (within 5e-2):"
  if compare "$out/one-process/metrics.csv" "$out/two-ranks/metrics.csv" 5e-2 5e-2 "${losses[@]}" | tee -a "$log"; then :; else failures=$((failures + 1)); fi
else
  say "-- 2 ranks: skipped ($gpus GPU)"
fi

# 6. demo for a few minutes, then eval.
[ "$dry" = 1 ] && demo_seconds=20
say "-- demo on $dev for ${demo_seconds} s, then cgpgan eval:"
timeout --signal INT "$demo_seconds" "$cg" train --preset demo --device "$dev" --out "$out/demo" \
  --checkpoint-every 500 > "$out/demo.log" 2>&1 || true # INT saves and stops
tail -2 "$out/demo.log" | tee -a "$log"
"$cg" eval "$out/demo/checkpoint.pt" --samples 2000 --json > "$out/demo-eval.json" 2>>"$out/demo.log"
"$py" -c 'import json,sys; e=json.load(open(sys.argv[1])); print("  eval:", {k: e[k] for k in list(e)[:12]})' "$out/demo-eval.json" | tee -a "$log"

say "== cuda_check: $failures comparison(s) failed, $((SECONDS - t0)) s"
[ "$failures" -eq 0 ]
