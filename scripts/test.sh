#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors, run every unit and
# end-to-end test, then the sanitizer + fuzz pass (scripts/ci_sanitize.sh) and the ThreadSanitizer pass
# over the parallel runs (scripts/ci_tsan.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPORTSCOPE_WERROR=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure -j2 --timeout 600
if [ -f scripts/ci_sanitize.sh ]; then
  bash scripts/ci_sanitize.sh --fuzz-seconds 5
fi
# The runs with several worker threads, under ThreadSanitizer.
if [ -f scripts/ci_tsan.sh ]; then
  bash scripts/ci_tsan.sh
fi
