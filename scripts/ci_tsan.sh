#!/usr/bin/env bash
# ThreadSanitizer CI: builds the portscope binary with clang + ThreadSanitizer and runs the tests that
# use several worker threads (-j 2 and more) under it. Fails on any test failure or data race report.
#
# usage: scripts/ci_tsan.sh [--jobs N]     env: BUILD_TSAN (default build-tsan)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_TSAN="${BUILD_TSAN:-build-tsan}"
JOBS="$(nproc)"
while [[ $# -gt 0 ]]; do
  case "$1" in
  --jobs) JOBS="$2"; shift 2 ;;
  -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
  *) echo "ci_tsan.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
printf '\n=== ThreadSanitizer build (%s)\n' "$BUILD_TSAN"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_TSAN" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPORTSCOPE_TSAN=ON \
  -DPORTSCOPE_WERROR=ON -DPORTSCOPE_TESTS=OFF -DPORTSCOPE_BENCH=OFF -DCMAKE_UNITY_BUILD="${PORTSCOPE_UNITY:-OFF}" >/dev/null
ninja -C "$BUILD_TSAN" -j "$JOBS" portscope
printf '\n=== parallel runs under ThreadSanitizer\n'
export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
LOG="$BUILD_TSAN/ci_tsan.log"
PORTSCOPE_TSAN=1 python3 tests/e2e/test_parallel.py --bin "$BUILD_TSAN/portscope" --data tests/data 2>&1 | tee "$LOG"
if grep -E "WARNING: ThreadSanitizer|ThreadSanitizer: " "$LOG"; then
  echo "ci_tsan.sh: ThreadSanitizer report in the test output" >&2
  exit 1
fi
printf '\n=== no data race found\n'
