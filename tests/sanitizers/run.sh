#!/usr/bin/env bash
# Builds the engine, the command line and their tests with AddressSanitizer
# and UndefinedBehaviorSanitizer (Clang, the `sanitize` preset) and runs the
# tests under them. Any report fails the test that triggered it.
#   bash tests/sanitizers/run.sh              # all engine and command-line tests
#   bash tests/sanitizers/run.sh -R test_data # extra arguments go to ctest
# Environment: BUILD_DIR (default build-sanitize), JOBS (default: all cores).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$root/build-sanitize}"
jobs="${JOBS:-$(nproc)}"

bash "$root/packaging/install-deps.sh" sanitize
cmake -S "$root" -B "$build" --preset sanitize >/dev/null
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:suppressions=$here/asan.supp"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$here/ubsan.supp"
# Tests get three times their usual timeout under the sanitizers (tests/CMakeLists.txt).
# test_trainer runs apart: its toy2dSplitsTheFourGaussians trains to
# convergence (minutes in a release build, over 15 under the sanitizers) and
# takes the same code paths as the cases that run here.
ctest --test-dir "$build" --output-on-failure -j "$jobs" -E '^test_trainer$' "$@"
if [ $# -eq 0 ]; then
  trainer="$build/tests/test_trainer"
  mapfile -t cases < <("$trainer" -functions | sed 's/()$//' | grep -vx toy2dSplitsTheFourGaussians)
  echo "test_trainer under the sanitizers: ${#cases[@]} cases (all but toy2dSplitsTheFourGaussians)"
  (cd "$build/tests" && "$trainer" "${cases[@]}")
fi
