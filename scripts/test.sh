#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors, run every unit and
# end-to-end test, then the sanitizer + fuzz pass (scripts/ci_sanitize.sh) and the ThreadSanitizer pass
# over the parallel runs (scripts/ci_tsan.sh). Each step prints how long it took.
#
# The builds are unity builds (CMake's CMAKE_UNITY_BUILD: a fraction of the compile time on two cores);
# PORTSCOPE_UNITY=OFF builds file by file.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORTSCOPE_UNITY="${PORTSCOPE_UNITY:-ON}"
step_start=$SECONDS
took() {
  printf '=== %s: %d s (%d s in all)\n' "$1" $((SECONDS - step_start)) "$SECONDS"
  step_start=$SECONDS
}
bash scripts/setup.sh
took setup
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPORTSCOPE_WERROR=ON \
  -DCMAKE_UNITY_BUILD="$PORTSCOPE_UNITY" >/dev/null
cmake --build build
took "release build"
ctest --test-dir build --output-on-failure -j2 --timeout 600
took "release tests"
if [ -f scripts/ci_sanitize.sh ]; then
  bash scripts/ci_sanitize.sh --fuzz-seconds 5
  took "sanitizer build, tests and fuzzing"
fi
# The runs with several worker threads, under ThreadSanitizer.
if [ -f scripts/ci_tsan.sh ]; then
  bash scripts/ci_tsan.sh
  took "ThreadSanitizer build and runs"
fi
