#!/usr/bin/env bash
# Makes the TLS and SSH captures in tests/data/tls/: REAL traffic between two network namespaces joined
# by a veth pair (as tests/data/README.md describes), captured with tcpdump on the server side, and
# their tshark reference files (tools/make_tls_refs.sh). Needs root, iproute2, ethtool, nginx, curl,
# openssl, OpenSSH (ssh, sshd, ssh-keygen), tcpdump, tshark and python3.
#
#   pstcli  ta 192.168.1.21/24   <- veth ->   pstsrv  tb 192.168.1.200/24 (servers, capture point)
#
# usage: tools/make_tls_captures.sh [OUT_DIR]   (default tests/data/tls)
set -euo pipefail
OUT=$(realpath "${1:-tests/data/tls}")
HERE=$(dirname "$(realpath "$0")")
NS=(pstcli pstsrv)
TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() {
  for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.3
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$OUT"

for n in "${NS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add ta netns pstcli address 02:00:c0:a8:01:15 type veth peer tb netns pstsrv address 02:00:c0:a8:01:c8
ip -n pstcli addr add 192.168.1.21/24 dev ta
ip -n pstsrv addr add 192.168.1.200/24 dev tb
ip -n pstcli link set ta mtu 1500 up
ip -n pstsrv link set tb mtu 1500 up
for pair in pstcli:ta pstsrv:tb; do
  ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
done
sleep 1
C="ip netns exec pstcli"
S="ip netns exec pstsrv"

# A CA and a server certificate it signed (subject and issuer differ, so both are visible).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 3650 \
  -subj "/C=US/O=Portscope Test CA/CN=Portscope Root" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" \
  -subj "/C=US/ST=Oregon/O=Trainers Inc/CN=www.2000trainers.com" 2>/dev/null
printf 'subjectAltName=DNS:www.2000trainers.com,DNS:localhost\n' >"$TMP/ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
  -out "$TMP/srv.pem" -days 3650 -extfile "$TMP/ext" 2>/dev/null
cat "$TMP/srv.pem" "$TMP/ca.pem" >"$TMP/chain.pem"

capture() { # name filter: start tcpdump on the server side
  $S tcpdump -i tb -U -s 0 -w "$OUT/$1.pcap" "$2" >/dev/null 2>&1 &
  CAP=$!
  sleep 1
}
stop_capture() {
  sleep 1
  kill -INT "$CAP"
  wait "$CAP" 2>/dev/null || true
}

# 1. nginx with TLS on 443 and on the custom port 2222; curl with TLS 1.2 and TLS 1.3, ALPN h2/http1.1.
mkdir -p "$TMP/www" "$TMP/run" "$TMP/log"
echo '<html><body>portscope TLS test page</body></html>' >"$TMP/www/index.html"
cat >"$TMP/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $TMP/run/nginx.pid;
error_log $TMP/log/error.log;
events { worker_connections 64; }
http {
  access_log off;
  server {
    listen 443 ssl; listen 2222 ssl http2;
    server_name www.2000trainers.com;
    ssl_certificate $TMP/chain.pem; ssl_certificate_key $TMP/srv.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $TMP/www;
  }
}
CONF
$S nginx -c "$TMP/nginx.conf" &
NGINX=$!
sleep 1
capture tls-nginx "tcp port 443 or tcp port 2222"
R="--resolve www.2000trainers.com:443:192.168.1.200 --resolve www.2000trainers.com:2222:192.168.1.200"
$C curl -s -o /dev/null --cacert "$TMP/ca.pem" $R --tlsv1.2 --tls-max 1.2 https://www.2000trainers.com/
$C curl -s -o /dev/null --cacert "$TMP/ca.pem" $R --tlsv1.3 https://www.2000trainers.com/index.html
$C curl -s -o /dev/null --cacert "$TMP/ca.pem" $R --tlsv1.2 --tls-max 1.2 https://www.2000trainers.com:2222/
$C curl -s -o /dev/null --cacert "$TMP/ca.pem" $R --http1.1 https://www.2000trainers.com:2222/
stop_capture
kill "$NGINX"; wait "$NGINX" 2>/dev/null || true

# 2. openssl s_server sending records of at most 512 bytes (the certificate chain spans several records
#    and segments) on 4433; s_client with TLS 1.2, SNI, ALPN, then a closed session (close_notify).
capture tls-openssl-frag "tcp port 4433"
$S openssl s_server -accept 4433 -cert "$TMP/srv.pem" -key "$TMP/srv.key" -cert_chain "$TMP/ca.pem" \
  -max_send_frag 512 -alpn http/1.1 -naccept 2 -quiet >/dev/null 2>&1 &
SRV=$!
sleep 1
echo hello | $C timeout 5 openssl s_client -connect 192.168.1.200:4433 -tls1_2 -servername www.2000trainers.com \
  -alpn http/1.1 -quiet >/dev/null 2>&1 || true
echo hello | $C timeout 5 openssl s_client -connect 192.168.1.200:4433 -tls1_3 -servername localhost \
  -quiet >/dev/null 2>&1 || true
sleep 0.5
kill "$SRV" 2>/dev/null || true
wait "$SRV" 2>/dev/null || true
stop_capture

# 3. OpenSSH: sshd on 22 and on 2222, a key login that runs a command, and a failed password login.
mkdir -p "$TMP/ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/user_key"
cp "$TMP/ssh/user_key.pub" "$TMP/ssh/authorized_keys"
chmod 600 "$TMP/ssh/authorized_keys"
cat >"$TMP/ssh/sshd_config" <<CONF
Port 22
Port 2222
ListenAddress 192.168.1.200
HostKey $TMP/ssh/host_ed25519
AuthorizedKeysFile $TMP/ssh/authorized_keys
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $TMP/run/sshd.pid
CONF
capture ssh "tcp port 22 or tcp port 2222"
$S /usr/sbin/sshd -D -f "$TMP/ssh/sshd_config" &
SSHD=$!
sleep 1
SSHOPT=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -i "$TMP/ssh/user_key")
$C ssh "${SSHOPT[@]}" -p 22 root@192.168.1.200 'echo portscope' >/dev/null 2>&1 || true
$C ssh "${SSHOPT[@]}" -p 2222 root@192.168.1.200 'uname -s' >/dev/null 2>&1 || true
$C ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o PubkeyAuthentication=no \
  -p 2222 nobody@192.168.1.200 true >/dev/null 2>&1 || true
stop_capture
kill "$SSHD"; wait "$SSHD" 2>/dev/null || true

for f in tls-nginx tls-openssl-frag ssh; do
  echo "$f: $(tshark -r "$OUT/$f.pcap" 2>/dev/null | wc -l) packets"
done
bash "$HERE/make_tls_refs.sh" "$OUT"
