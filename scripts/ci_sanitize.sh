#!/usr/bin/env bash
# Sanitizer CI: builds portscope with clang + AddressSanitizer + UndefinedBehaviorSanitizer and runs
# the whole ctest suite under it; then builds the libFuzzer targets, replays their seed corpora and
# fuzzes each target for a bounded time. Fails on any test failure or sanitizer report.
#
# usage: scripts/ci_sanitize.sh [--fuzz-seconds N] [--jobs N] [--no-fuzz]
#   env: BUILD_ASAN (default build-asan), BUILD_FUZZ (default build-fuzz), relative to the repository.
# Needs: clang-14, libclang-rt-14-dev (sanitizer and libFuzzer runtimes), ninja, cmake, python3, time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_ASAN="${BUILD_ASAN:-build-asan}"
BUILD_FUZZ="${BUILD_FUZZ:-build-fuzz}"
FUZZ_SECONDS=10
JOBS="$(nproc)"
DO_FUZZ=1
while [[ $# -gt 0 ]]; do
  case "$1" in
  --fuzz-seconds) FUZZ_SECONDS="$2"; shift 2 ;;
  --jobs) JOBS="$2"; shift 2 ;;
  --no-fuzz) DO_FUZZ=0; shift ;;
  -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
  *) echo "ci_sanitize.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

# Every sanitizer report is fatal and says where it came from.
export ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

step() { printf '\n=== %s\n' "$*"; }

cd "$ROOT"
# One clang build serves both: the test suite under ASan+UBSan and the libFuzzer targets (the library
# also carries the fuzzers' coverage hooks, which the sanitizer runtime provides as no-ops elsewhere).
step "ASan+UBSan build with fuzz targets ($BUILD_ASAN)"
FUZZ_FLAG=-DPORTSCOPE_FUZZ=ON
[[ $DO_FUZZ == 1 ]] || FUZZ_FLAG=-DPORTSCOPE_FUZZ=OFF
CC=clang CXX=clang++ cmake -S . -B "$BUILD_ASAN" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPORTSCOPE_SANITIZE=ON -DPORTSCOPE_WERROR=ON -DPORTSCOPE_BENCH=OFF "$FUZZ_FLAG" \
  -DCMAKE_UNITY_BUILD="${PORTSCOPE_UNITY:-OFF}" >/dev/null
ninja -C "$BUILD_ASAN" -j "$JOBS"

step "ctest under ASan+UBSan"
LOG="$BUILD_ASAN/ci_sanitize.ctest.log"
ctest --test-dir "$BUILD_ASAN" -j "$JOBS" --output-on-failure --timeout 600 2>&1 | tee "$LOG"
# A report inside a test that still passed (e.g. a child process whose failure was tolerated) fails too.
if grep -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$LOG"; then
  echo "ci_sanitize.sh: sanitizer report in the test output" >&2
  exit 1
fi

[[ $DO_FUZZ == 1 ]] || { step "fuzzing skipped (--no-fuzz)"; exit 0; }

BUILD_FUZZ="$BUILD_ASAN"

TARGETS=()
for src in fuzz/fuzz_*.cpp; do
  TARGETS+=("$(basename "$src" .cpp)")
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for t in "${TARGETS[@]}"; do
  bin="$BUILD_FUZZ/fuzz/$t"
  seeds="fuzz/corpus/$t"
  mkdir -p "$seeds"
  step "$t: replay $(find "$seeds" -type f | wc -l) seeds"
  "$bin" -runs=0 "$seeds"
  step "$t: fuzz ${FUZZ_SECONDS}s"
  # New inputs go to a scratch corpus; crashes to $WORK/<target>/ and are printed below.
  mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
  dict=()
  [[ -f fuzz/dict/$t.dict ]] && dict=("-dict=fuzz/dict/$t.dict")
  if ! "$bin" "${dict[@]}" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
      -print_final_stats=1 -artifact_prefix="$WORK/$t/artifacts/" "$WORK/$t/corpus" "$seeds" \
      2>"$WORK/$t/log"; then
    tail -n 60 "$WORK/$t/log" >&2
    mkdir -p "$BUILD_FUZZ/crashes"
    cp "$WORK/$t/artifacts/"* "$BUILD_FUZZ/crashes/" 2>/dev/null || true
    echo "ci_sanitize.sh: $t found a crash (input kept under $BUILD_FUZZ/crashes/)" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$WORK/$t/log" || true
done
step "all sanitizer checks passed"
