#!/usr/bin/env bash
# Makes tests/data/frag-udp.pcap and tests/data/frag-tcp.pcap: REAL fragmented IPv4/IPv6 traffic between
# three network namespaces, and their tshark reference files (made like the shared corpus: see
# tests/data/README.md). Needs root, iproute2, ethtool, ping, tcpdump, tshark and python3.
#
#   pscli  va 10.77.0.21/24  fd00:77::21/64  MTU 9000
#     |
#   psrtr  ra 10.77.0.1  fd00:77::1  MTU 9000 | rb 10.78.0.1  fd00:78::1  MTU 1280   (forwards, no conntrack)
#     |
#   pssrv  vb 10.78.0.200/24  fd00:78::200/64  MTU 1280     <- capture point (tcpdump -i vb)
#
# usage: tools/make_frag_captures.sh [OUT_DIR]   (default tests/data)
set -euo pipefail
OUT=$(realpath "${1:-tests/data}")
TMP=$(mktemp -d)
NS=(pscli psrtr pssrv)

cleanup() {
  for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
cleanup
TMP=$(mktemp -d)

for n in "${NS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add va netns pscli address 02:00:0a:4d:00:15 type veth peer ra netns psrtr address 02:00:0a:4d:00:01
ip link add rb netns psrtr address 02:00:0a:4e:00:01 type veth peer vb netns pssrv address 02:00:0a:4e:00:c8
ip -n pscli link set va mtu 9000 up
ip -n psrtr link set ra mtu 9000 up
ip -n psrtr link set rb mtu 1280 up
ip -n pssrv link set vb mtu 1280 up
for pair in pscli:va psrtr:ra psrtr:rb pssrv:vb; do
  ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n pscli addr add 10.77.0.21/24 dev va
ip -n pscli addr add fd00:77::21/64 dev va nodad
ip -n psrtr addr add 10.77.0.1/24 dev ra
ip -n psrtr addr add fd00:77::1/64 dev ra nodad
ip -n psrtr addr add 10.78.0.1/24 dev rb
ip -n psrtr addr add fd00:78::1/64 dev rb nodad
ip -n pssrv addr add 10.78.0.200/24 dev vb
ip -n pssrv addr add fd00:78::200/64 dev vb nodad
ip netns exec psrtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n pscli route add 10.78.0.0/24 via 10.77.0.1
# IPv6 routers never fragment: the client learns the path MTU up front and fragments itself.
ip -n pscli -6 route add fd00:78::/64 via fd00:77::1 mtu 1280
# The server advertises a large MSS so that the client's TCP segments (sent without DF) exceed the
# 1280-byte link and the router fragments them.
ip -n pssrv route add 10.77.0.0/24 via 10.78.0.1 advmss 8000
ip -n pssrv -6 route add fd00:77::/64 via fd00:78::1

cat >"$TMP/servers.py" <<'EOF'
# UDP echo (answers 3000 bytes), a DNS server with one big TXT record, and an HTTP-ish TCP upload sink.
import socket, struct, sys, threading

def udp_echo(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 7777))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(bytes((i * 7 + len(data)) & 0xFF for i in range(3000)), peer)

def dns(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(4096)
        end = 12
        while q[end]:
            end += q[end] + 1
        question = q[12:end + 5]
        texts = [(b"%02d-" % i) * 80 for i in range(10)]  # ten 240-byte strings
        rdata = b"".join(bytes([len(t)]) + t for t in texts)
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 300, len(rdata)) + rdata
        s.sendto(q[:2] + struct.pack(">HHHHH", 0x8580, 1, 1, 0, 0) + question + answer, peer)

def http(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8080))
    s.listen()
    while True:
        c, _ = s.accept()
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += c.recv(65536)
        head, body = buf.split(b"\r\n\r\n", 1)
        n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
        while len(body) < n:
            body += c.recv(65536)
        msg = b"stored %d bytes\n" % len(body)
        c.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (len(msg), msg))
        c.close()

for fn in (udp_echo, dns, http):
    threading.Thread(target=fn, args=(socket.AF_INET, "10.78.0.200"), daemon=True).start()
    threading.Thread(target=fn, args=(socket.AF_INET6, "fd00:78::200"), daemon=True).start()
threading.Event().wait()
EOF

cat >"$TMP/client.py" <<'EOF'
import socket, struct, sys, time
mode = sys.argv[1]
IP_MTU_DISCOVER, DONT = 10, 0  # IP_PMTUDISC_DONT: no DF bit, so the router fragments
targets = [(socket.AF_INET, "10.78.0.200"), (socket.AF_INET6, "fd00:78::200")]
if mode == "udp":
    for fam, addr in targets:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, DONT)
        s.settimeout(3)
        s.sendto(bytes(i & 0xFF for i in range(5000)), (addr, 7777))
        s.recvfrom(65535)
        name = b"".join(bytes([len(p)]) + p for p in b"big.frag.test".split(b".")) + b"\0"
        opt = b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)  # EDNS0, 4096-byte buffer
        q = struct.pack(">HHHHHH", 0x4d00 + fam, 0x0100, 1, 0, 0, 1) + name + struct.pack(">HH", 16, 1) + opt
        s.sendto(q, (addr, 53))
        s.recvfrom(65535)
        time.sleep(0.2)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, DONT)
    s.connect(("10.78.0.200", 8080))
    body = b"".join(b"line %05d of the upload\n" % i for i in range(800))
    s.sendall(b"POST /upload HTTP/1.1\r\nHost: 10.78.0.200:8080\r\nContent-Type: text/plain\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    while s.recv(65536):
        pass
    s.close()
EOF

ip netns exec pssrv python3 "$TMP/servers.py" &
sleep 3 # past the links' router solicitations and listener reports

capture() { # name, then the commands that make its traffic
  local name=$1
  shift
  ip netns exec pssrv tcpdump -i vb -U -s 0 -w "$OUT/$name.pcap" 2>/dev/null &
  local dump=$!
  sleep 1
  "$@"
  sleep 1
  kill -INT "$dump"
  wait "$dump" || true
}

udp_traffic() {
  ip netns exec pssrv ping -c 1 -s 4000 10.77.0.21 >/dev/null
  ip netns exec pssrv ping -6 -c 1 -s 4000 fd00:77::21 >/dev/null
  ip netns exec pscli python3 "$TMP/client.py" udp
}
tcp_traffic() { ip netns exec pscli python3 "$TMP/client.py" tcp; }

capture frag-udp udp_traffic
capture frag-tcp tcp_traffic

PREFS=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE
  -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE)
HEADER=$(head -1 "$OUT/tcp-impaired-http.fields.tsv")
for name in frag-udp frag-tcp; do
  cap="$OUT/$name.pcap"
  fields=()
  IFS=$'\t' read -r -a cols <<<"$HEADER"
  for f in "${cols[@]}"; do fields+=(-e "$f"); done
  tshark -n -r "$cap" "${PREFS[@]}" -T fields -E header=y -E separator=/t -E occurrence=f "${fields[@]}" >"$OUT/$name.fields.tsv"
  tshark -n -r "$cap" -q -z conv,tcp -z conv,udp >"$OUT/$name.conv.txt"
  tshark -n -r "$cap" -V -o tcp.check_checksum:TRUE -c 20 >"$OUT/$name.verbose.txt"
  if [ "$name" = frag-tcp ]; then tshark -n -r "$cap" -q -z follow,tcp,ascii,0 >"$OUT/$name.follow0.txt"; fi
done
ls -l "$OUT"/frag-*
