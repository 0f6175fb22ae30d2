#!/usr/bin/env bash
# Makes tests/data/tls/starttls.pcap: openssl s_client's -starttls smtp, pop3 and ftp against
# tools/starttls_server.py (Python's ssl module, TLS 1.2) on 25, 110 and 21, between two network
# namespaces as tools/make_tls_captures.sh sets them up, then the tshark references (make_tls_refs.sh).
# Needs root, iproute2, openssl, tcpdump, tshark and python3.
set -euo pipefail
OUT=$(realpath "${1:-tests/data/tls}")
HERE=$(dirname "$(realpath "$0")")
NS=(pssttcli pssttsrv)
TMP=$(mktemp -d)
cleanup() {
  for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.3
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
for n in "${NS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add sa netns pssttcli address 02:00:c0:a8:01:15 type veth peer sb netns pssttsrv address 02:00:c0:a8:01:c8
ip -n pssttcli addr add 192.168.1.21/24 dev sa
ip -n pssttsrv addr add 192.168.1.200/24 dev sb
ip -n pssttcli link set sa up
ip -n pssttsrv link set sb up
for pair in pssttcli:sa pssttsrv:sb; do
  ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
done
sleep 1
C="ip netns exec pssttcli"
S="ip netns exec pssttsrv"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 3650 \
  -subj "/O=Portscope Mail/CN=mail.example.org" 2>/dev/null
$S tcpdump -i sb -U -s 0 -w "$OUT/starttls.pcap" "tcp port 25 or tcp port 110 or tcp port 21" >/dev/null 2>&1 &
CAP=$!
sleep 1
for pp in smtp:25 pop3:110 ftp:21; do
  proto=${pp%%:*} port=${pp#*:}
  $S python3 "$HERE/starttls_server.py" "$proto" "$port" "$TMP/cert.pem" "$TMP/key.pem" &
  SRV=$!
  sleep 0.7
  echo QUIT | $C timeout 5 openssl s_client -connect "192.168.1.200:$port" -starttls "$proto" \
    -servername mail.example.org -quiet >/dev/null 2>&1 || true
  wait "$SRV" 2>/dev/null || true
done
sleep 1
kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true
echo "starttls: $(tshark -r "$OUT/starttls.pcap" 2>/dev/null | wc -l) packets"
bash "$HERE/make_tls_refs.sh" "$OUT"
