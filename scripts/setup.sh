#!/usr/bin/env bash
# Installs what portscope needs to build, test and benchmark on Debian 12 (only what is missing).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3
  libpcap-dev libpcre2-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
  tshark tcpdump hyperfine time
  libmnl-dev libncurses-dev librdkafka-dev zlib1g-dev
  iproute2 curl tmux iperf3 util-linux ethtool
  ieee-data # IEEE OUI registry: manufacturer names of MAC addresses (eth.src_resolved, docs/decisions.md)
  chromium # headless browser for the HTML report's test (tests/e2e/test_report_browser.py)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
