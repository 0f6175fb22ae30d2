#!/usr/bin/env bash
# Makes tests/data/http-snaplen96.pcap: REAL curl -> python3 http.server traffic between two network
# namespaces, captured with tcpdump -s 96 on the server side veth (every frame cut to its first 96 bytes,
# as a small snapshot length does), and the tshark reference files (see tests/data/README.md).
# Needs root, iproute2, ethtool, curl, tcpdump, tshark and python3.
#
#   psscli  sa 192.168.1.21/24   <- veth ->   psssrv  sb 192.168.1.200/24 (http.server :8000, capture point)
#
# usage: tools/make_snaplen_capture.sh [OUT_DIR]   (default tests/data)
set -euo pipefail
OUT=$(realpath "${1:-tests/data}")
NS=(psscli psssrv)
TMP=$(mktemp -d)
cleanup() {
  for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.3
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

for n in "${NS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add sa netns psscli address 02:00:c0:a8:01:15 type veth peer sb netns psssrv address 02:00:c0:a8:01:c8
ip -n psscli addr add 192.168.1.21/24 dev sa
ip -n psssrv addr add 192.168.1.200/24 dev sb
ip -n psscli link set sa mtu 1500 up
ip -n psssrv link set sb mtu 1500 up
for pair in psscli:sa psssrv:sb; do
  ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
done
sleep 1

mkdir -p "$TMP/www" "$TMP/log"
printf '<html><body><h1>small page</h1></body></html>\n' >"$TMP/www/index.html"
python3 -c 'import sys; sys.stdout.write("".join(f"line {i}: lorem ipsum dolor sit amet\n" for i in range(400)))' \
  >"$TMP/www/big.txt"
(cd "$TMP/www" && exec ip netns exec psssrv python3 -m http.server 8000 --bind 192.168.1.200) \
  >"$TMP/log/http.log" 2>&1 &
for i in $(seq 50); do ip netns exec psssrv ss -Hlnt | grep -q ':8000 ' && break; sleep 0.1; done

ip netns exec psssrv tcpdump -n -i sb -s 96 -w "$TMP/snap.pcap" 2>"$TMP/log/tcpdump.log" &
TCPDUMP=$!
for i in $(seq 50); do grep -q "listening on" "$TMP/log/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
# A short GET, a GET of a 15 KB text file, and a 404, each on its own connection (http.server closes).
ip netns exec psscli curl -sS -o /dev/null http://192.168.1.200:8000/index.html
ip netns exec psscli curl -sS -o /dev/null http://192.168.1.200:8000/big.txt
ip netns exec psscli curl -sS -o /dev/null -A 'snaplen-test/1.0 (a user agent long enough to be cut)' \
  http://192.168.1.200:8000/missing/page
sleep 1
kill -INT $TCPDUMP; wait $TCPDUMP || true
cp "$TMP/snap.pcap" "$OUT/http-snaplen96.pcap"

X="$OUT/http-snaplen96.pcap"; B="${X%.pcap}"
PREFS=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE
  -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE)
fields=()
IFS=$'\t' read -r -a cols <<<"$(head -1 "$OUT/tcp-impaired-http.fields.tsv")"
for f in "${cols[@]}"; do fields+=(-e "$f"); done
tshark -n -r "$X" "${PREFS[@]}" -T fields -E header=y -E separator=/t -E occurrence=f "${fields[@]}" >"$B.fields.tsv"
tshark -n -r "$X" -q -z conv,tcp -z conv,udp >"$B.conv.txt"
tshark -n -r "$X" -V -o tcp.check_checksum:TRUE -c 20 >"$B.verbose.txt"
# Every frame's HTTP subtree and size-limit line (the frame header kept to tell frames apart).
tshark -n -r "$X" -V -o tcp.check_checksum:TRUE | grep -Ev '^[0-9a-f]{4}  ' |
  awk '/^Frame [0-9]+:/ {print; keep = 0; next} /^[^ ]/ {keep = /^(Hypertext|\[Packet size limited)/} keep && NF' \
  >"$B.http-tree.txt"
tshark -n -r "$X" -q -z follow,tcp,ascii,0 >"$B.follow0.txt"
tshark -n -r "$X" -o tcp.check_checksum:TRUE >"$B.summary.txt"
echo "$(capinfos -c -M "$X" | awk '/Number of packets/ {print $4}') packets in $X"
