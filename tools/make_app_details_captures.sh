#!/usr/bin/env bash
# Makes tests/data/app/{smtp-auth,ftp-ext,ssdp}.pcap: SMTP AUTH LOGIN/PLAIN sessions, an FTP session
# whose data connections are announced by EPSV and EPRT, and SSDP (HTTP over UDP 1900) between two
# network namespaces (tools/app_details_server.py and app_details_client.py), then tshark -V and
# -T fields references next to each capture. Needs root, iproute2, tcpdump, tshark and python3.
set -euo pipefail
OUT=$(realpath "${1:-tests/data/app}")
HERE=$(dirname "$(realpath "$0")")
NS=(psadcli psadsrv)
mkdir -p "$OUT"
cleanup() {
  for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.3
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
for n in "${NS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add sa netns psadcli address 02:00:c0:a8:01:15 type veth peer sb netns psadsrv address 02:00:c0:a8:01:c8
ip -n psadcli addr add 192.168.1.21/24 dev sa
ip -n psadsrv addr add 192.168.1.200/24 dev sb
for n in "${NS[@]}"; do
  ip netns exec "$n" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$n" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
done
ip -n psadcli link set sa up
ip -n psadsrv link set sb up
for pair in psadcli:sa psadsrv:sb; do
  ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
done
# the neighbours are known beforehand: no ARP in the captures
ip -n psadcli neigh add 192.168.1.200 lladdr 02:00:c0:a8:01:c8 dev sa
ip -n psadsrv neigh add 192.168.1.21 lladdr 02:00:c0:a8:01:15 dev sb
sleep 1
C="ip netns exec psadcli"
S="ip netns exec psadsrv"
for spec in smtp-auth:smtp:25:"tcp port 25" ftp-ext:ftp:21:"tcp" ssdp:ssdp:1900:"udp port 1900"; do
  IFS=: read -r name proto port filter <<<"$spec"
  $S tcpdump -i sb -U -s 0 -w "$OUT/$name.pcap" "$filter" >/dev/null 2>&1 &
  CAP=$!
  sleep 1
  $S python3 "$HERE/app_details_server.py" "$proto" "$port" &
  SRV=$!
  sleep 0.7
  $C timeout 20 python3 "$HERE/app_details_client.py" "$proto" 192.168.1.200
  wait "$SRV" 2>/dev/null || true
  sleep 1
  kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true
  echo "$name: $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets"
done
PREFS=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)
FIELDS=(frame.number tcp.stream udp.stream _ws.col.Protocol _ws.col.Info smtp.req.command smtp.req.parameter
  smtp.response.code smtp.rsp.parameter smtp.auth.username smtp.auth.password smtp.auth.username_password
  ftp.request.command ftp.request.arg ftp.response.code ftp-data.setup-frame ftp-data.setup-method
  ftp-data.command ftp-data.command-frame ftp.passive.port ftp.eprt.port ftp.epsv.port
  http.request.method http.request.uri http.response.code http.location http.server ssdp)
for cap in "$OUT"/*.pcap; do
  base=${cap%.pcap}
  tshark -n -r "$cap" "${PREFS[@]}" -V >"$base.verbose.txt"
  ef=(); for f in "${FIELDS[@]}"; do ef+=(-e "$f"); done
  tshark -n -r "$cap" "${PREFS[@]}" -T fields -E header=y -E occurrence=a -E aggregator=, "${ef[@]}" >"$base.fields.tsv"
done
