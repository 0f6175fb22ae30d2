#!/usr/bin/env bash
# Live capture at full veth speed: iperf3 between two network namespaces for SECONDS, captured on the
# client's veth by tcpdump -w and by portscope (read -w, conns, read printing summaries), one at a
# time, each run beside the same traffic; prints throughput, frames captured and libpcap's drops.
# Root only. usage: bench/live.sh [--bin build/portscope] [--seconds 5] [--snaplen 262144] [--rate 3G]
#                  [--out DIR]
set -uo pipefail
BIN=build/portscope
SECONDS_=5
SNAPLEN=262144
RATE=0
OUT=/dev/shm/portscope-live-bench
while [[ $# -gt 0 ]]; do
  case "$1" in
  --bin) BIN="$2"; shift 2 ;;
  --seconds) SECONDS_="$2"; shift 2 ;;
  --snaplen) SNAPLEN="$2"; shift 2 ;;
  --rate) RATE="$2"; shift 2 ;; # iperf3 -b (e.g. 3G); 0: as fast as it goes
  --out) OUT="$2"; shift 2 ;;
  *) echo "live.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "live.sh: needs root (network namespaces)" >&2; exit 2; }
A=psbench_a B=psbench_b
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
cleanup
mkdir -p "$OUT"
ip netns add $A; ip netns add $B
ip link add pbenA type veth peer name pbenB
ip link set pbenA netns $A; ip link set pbenB netns $B
ip -n $A addr add 10.99.0.1/24 dev pbenA; ip -n $B addr add 10.99.0.2/24 dev pbenB
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set pbenA up; ip -n $B link set pbenB up

iperf() { # one iperf3 run from A, prints Gbit/s received
  ip netns exec $B iperf3 -s -1 >/dev/null 2>&1 &
  sleep 0.3
  ip netns exec $A iperf3 -c 10.99.0.2 -t "$SECONDS_" -b "$RATE" -J | python3 -c \
    'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'
  wait
}

row() { # name, capture command (in A; its stderr is parsed for the counts)
  local name="$1"; shift
  ip netns exec $A "$@" 2>"$OUT/err" &
  local pid=$!
  sleep 1
  local gbps; gbps=$(iperf)
  sleep 0.5
  kill -INT $pid; wait $pid || true
  local captured dropped
  captured=$(grep -oE '^[0-9]+ packets captured' "$OUT/err" | grep -oE '^[0-9]+' || echo '?')
  dropped=$(grep -oE '[0-9]+ (packets )?dropped by kernel' "$OUT/err" | grep -oE '^[0-9]+' || echo '?')
  printf '| %-44s | %8s | %10s | %8s |\n' "$name" "$gbps" "$captured" "$dropped"
  rm -f "$OUT"/*.pcap
}

printf '| %-44s | %8s | %10s | %8s |\n' "capture (snaplen $SNAPLEN, ${SECONDS_} s iperf3 -b $RATE)" "Gbit/s" "captured" "dropped"
printf '| %-44s | %8s | %10s | %8s |\n' "---" "---:" "---:" "---:"
printf '| %-44s | %8s | %10s | %8s |\n' "none" "$(iperf)" "-" "-"
row "tcpdump -w FILE" tcpdump -i pbenA -s "$SNAPLEN" -w "$OUT/td.pcap"
row "tcpdump -B 32768 -w FILE" tcpdump -i pbenA -B 32768 -s "$SNAPLEN" -w "$OUT/td.pcap"
row "portscope read -i -w FILE" "$BIN" read -i pbenA -s "$SNAPLEN" -w "$OUT/ps.pcap"
row "portscope conns -i" sh -c "exec $BIN conns -i pbenA -s $SNAPLEN > /dev/null"
row "portscope read -i (summary lines)" sh -c "exec $BIN read -i pbenA -s $SNAPLEN -n > /dev/null"
