#!/usr/bin/env bash
# Makes tests/data/http-gap.pcap: REAL curl -> nginx traffic (1,000 HTTP/1.1 requests on one keep-alive
# connection) between two network namespaces, captured with tcpdump on the server side veth, then ONE
# server segment (the response to request 500) removed from the capture by tools/drop_frame.py so the
# server's stream has a content gap, and the tshark reference files (see tests/data/README.md).
# Needs root, iproute2, ethtool, nginx, curl, tcpdump, tshark and python3.
#
#   psgcli  ga 192.168.1.21/24   <- veth ->   psgsrv  gb 192.168.1.200/24 (nginx :80, capture point)
#
# usage: tools/make_gap_capture.sh [OUT_DIR]   (default tests/data)
set -euo pipefail
OUT=$(realpath "${1:-tests/data}")
HERE=$(dirname "$(realpath "$0")")
NS=(psgcli psgsrv)
TMP=$(mktemp -d)
cleanup() {
  for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.3
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

for n in "${NS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add ga netns psgcli address 02:00:c0:a8:01:15 type veth peer gb netns psgsrv address 02:00:c0:a8:01:c8
ip -n psgcli addr add 192.168.1.21/24 dev ga
ip -n psgsrv addr add 192.168.1.200/24 dev gb
ip -n psgcli link set ga mtu 1500 up
ip -n psgsrv link set gb mtu 1500 up
for pair in psgcli:ga psgsrv:gb; do
  ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
done
sleep 1

mkdir -p "$TMP/run" "$TMP/log"
cat >"$TMP/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $TMP/run/nginx.pid;
error_log $TMP/log/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $TMP/run/body; proxy_temp_path $TMP/run/proxy;
  fastcgi_temp_path $TMP/run/fastcgi; uwsgi_temp_path $TMP/run/uwsgi; scgi_temp_path $TMP/run/scgi;
  keepalive_requests 100000;
  default_type text/plain;
  server {
    listen 80;
    location /ok/      { return 200 "ok \$uri\n"; }
    location /made/    { return 201 "made \$uri\n"; }
    location /missing/ { return 404; }
  }
}
CONF
ip netns exec psgsrv nginx -c "$TMP/nginx.conf" &
for i in $(seq 50); do ip netns exec psgsrv ss -Hlnt | grep -q ':80 ' && break; sleep 0.1; done

# 1,000 URLs; curl reuses one connection for all of them.
python3 - "$TMP/curl.cfg" <<'PY'
import sys
kinds = ["ok", "made", "missing"]
with open(sys.argv[1], "w") as f:
    for i in range(1, 1001):
        f.write(f'url = "http://192.168.1.200/{kinds[i % 3]}/item{i}"\noutput = "/dev/null"\n')
PY
ip netns exec psgsrv tcpdump -n -i gb -s 0 -w "$TMP/full.pcap" 2>"$TMP/log/tcpdump.log" &
TCPDUMP=$!
for i in $(seq 50); do grep -q "listening on" "$TMP/log/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
ip netns exec psgcli curl -sS -K "$TMP/curl.cfg"
sleep 1
kill -INT $TCPDUMP; wait $TCPDUMP || true

# The response to request 500: the server frame whose payload starts with a status line and that follows
# the 500th request.
N=$(tshark -n -r "$TMP/full.pcap" -Y 'http.response' -T fields -e frame.number | sed -n 500p)
python3 "$HERE/drop_frame.py" "$TMP/full.pcap" "$OUT/http-gap.pcap" "$N"
echo "dropped frame $N of $(capinfos -c -M "$TMP/full.pcap" | awk '/Number of packets/ {print $4}')"

X="$OUT/http-gap.pcap"; B="${X%.pcap}"
PREFS=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE
  -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE)
fields=()
IFS=$'\t' read -r -a cols <<<"$(head -1 "$OUT/tcp-impaired-http.fields.tsv")"
for f in "${cols[@]}"; do fields+=(-e "$f"); done
tshark -n -r "$X" "${PREFS[@]}" -T fields -E header=y -E separator=/t -E occurrence=f "${fields[@]}" >"$B.fields.tsv"
tshark -n -r "$X" -q -z conv,tcp -z conv,udp >"$B.conv.txt"
tshark -n -r "$X" -V -o tcp.check_checksum:TRUE -c 20 >"$B.verbose.txt"
tshark -n -r "$X" -q -z follow,tcp,ascii,0 >"$B.follow0.txt"
tshark -n -r "$X" -o tcp.check_checksum:TRUE -Y http.request -T fields -e frame.number -e http.request.uri >"$B.requests.tsv"
tshark -n -r "$X" -o tcp.check_checksum:TRUE -Y http.response -T fields -e frame.number -e http.response.code \
  -e http.request_in >"$B.responses.tsv"
