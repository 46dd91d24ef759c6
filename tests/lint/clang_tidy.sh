#!/usr/bin/env bash
# Runs clang-tidy (Debian: clang-tidy) with the project's .clang-tidy over
# the sources of core/ (default), or the folders given, using the build's
# compile_commands.json. Prints the findings and a count per check; exits 1
# when there is any finding.
#   bash tests/lint/clang_tidy.sh                 # core/
#   bash tests/lint/clang_tidy.sh core/values ui  # chosen folders
# Environment: BUILD_DIR (default build-tidy: configured here with the
# compile commands exported), JOBS (default: all cores).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build-tidy}"
jobs="${JOBS:-$(nproc)}"
command -v clang-tidy >/dev/null || { echo "clang-tidy is not installed (apt-get install clang-tidy)" >&2; exit 2; }
if [ ! -f "$build/compile_commands.json" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
  # Generated sources (the embedded presets, Qt's moc files) must exist.
  cmake --build "$build" --target cgpgan_data -j "$jobs" >/dev/null
fi
folders=("$@")
[ ${#folders[@]} -eq 0 ] && folders=(core)
mapfile -t files < <(cd "$root" && find "${folders[@]}" -name '*.cpp' | sort)
out="$(mktemp)"
printf '%s\n' "${files[@]}" | (cd "$root" && xargs -P "$jobs" -n 1 clang-tidy -p "$build" --quiet 2>/dev/null) > "$out" || true
grep -E 'warning: .*\[[a-z-]+(\.[a-zA-Z-]+)?\]$' "$out" | sort -u > "$out.findings" || true
cat "$out.findings"
echo "== clang-tidy: ${#files[@]} files, $(wc -l < "$out.findings") findings"
sed -E 's/.*\[([^]]+)\]$/\1/' "$out.findings" | sort | uniq -c | sort -rn
[ ! -s "$out.findings" ]
