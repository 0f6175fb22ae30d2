#!/usr/bin/env bash
# One command from a fresh clone: install what is missing, build in Release, and print the seed's
# HTTP packet as a protocol tree (then its connection in one summary line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target portscope
echo
build/portscope read tests/data/seed-http.pcap -V
build/portscope read tests/data/seed-http.pcap
