#!/bin/bash
# make_tunnel_captures.sh -- real tunnelled traffic between two namespaces, captured on the underlay.
#
#   client tcli/ta  10.99.0.1  fd99::1   ── veth ──  server tsrv/tb  10.99.0.2  fd99::2 (underlay)
#   inner: 192.168.1.21 / fd00:77::21 (client)  ->  192.168.1.200 / fd00:77::200 (server)
#
# VXLAN uses the kernel's vxlan driver. This kernel has no gre/ipip/sit/ip6tnl/geneve/mpls modules, so
# the other encapsulations are made by tools/userspace_tunnel.py: a TUN/TAP device per side carries the
# kernels' real packets and the script wraps/unwraps them (see there). Inner traffic: curl -> python3
# http.server, dig -> dnsmasq. tcpdump captures the server's veth.
#
# usage: make_tunnel_captures.sh OUTDIR [MODE...]   (root; default: every mode)
set -u
export LC_ALL=C
OUT=${1:?outdir}; shift
MODES=${*:-"ipip sit ip4ip6 ip6ip6 gre gre-ksc gre6 gretap gre-in-gre geneve mpls mpls-vlan vxlan gtpu teredo pppoe-qinq erspan"}
HERE=$(cd "$(dirname "$0")" && pwd)
W=${TMPDIR:-/tmp}/tungen; PIDS=()
mkdir -p "$OUT" "$W/www"
printf '<html><body><p>tunnelled hello</p></body></html>\n' >"$W/www/index.html"
printf '192.168.1.200 www.tun.test\nfd00:77::200 www.tun.test\n' >"$W/hosts"

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  PIDS=()
  ip netns del tcli 2>/dev/null; ip netns del tsrv 2>/dev/null
  return 0
}
trap cleanup EXIT

run_mode() {
  local mode=$1 v6in=0 v6ping=0 tap=0 outer6=0 dev=tun0
  case $mode in
  sit | ip6ip6 | teredo) v6in=1 ;;
  gre | mpls | pppoe-qinq) v6ping=1 ;;
  esac
  case $mode in ip4ip6 | ip6ip6 | gre6) outer6=1 ;; esac
  case $mode in gretap | geneve | vxlan | erspan) tap=1; dev=tap0 ;; esac
  ip netns add tcli; ip netns add tsrv
  for ns in tcli tsrv; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.addr_gen_mode=1 >/dev/null 2>&1
    ip -n $ns link set lo up
  done
  ip link add ta netns tcli type veth peer name tb netns tsrv
  ip -n tcli link set ta address 02:00:0a:63:00:01; ip -n tsrv link set tb address 02:00:0a:63:00:02
  ip -n tcli addr add 10.99.0.1/24 dev ta; ip -n tcli addr add fd99::1/64 dev ta nodad
  ip -n tsrv addr add 10.99.0.2/24 dev tb; ip -n tsrv addr add fd99::2/64 dev tb nodad
  ip -n tcli link set ta up; ip -n tsrv link set tb up
  ip netns exec tcli ethtool -K ta rx off tx off sg off tso off gso off gro off >/dev/null 2>&1
  ip netns exec tsrv ethtool -K tb rx off tx off sg off tso off gso off gro off >/dev/null 2>&1
  for v in "tcli ta" "tsrv tb"; do # tags stay in the frames (pppoe-qinq)
    set -- $v; ip netns exec $1 ethtool -K $2 rxvlan off txvlan off rx-vlan-stag-hw-parse off \
      tx-vlan-stag-hw-insert off >/dev/null 2>&1
  done
  ip -n tcli neigh add 10.99.0.2 lladdr 02:00:0a:63:00:02 dev ta
  ip -n tsrv neigh add 10.99.0.1 lladdr 02:00:0a:63:00:01 dev tb
  ip -n tcli neigh add fd99::2 lladdr 02:00:0a:63:00:02 dev ta
  ip -n tsrv neigh add fd99::1 lladdr 02:00:0a:63:00:01 dev tb
  local side ns me peer l r lmac pmac
  for side in c s; do
    if [ $side = c ]; then ns=tcli me=21 peer=200 l=1 r=2 lmac=15 pmac=c8; else ns=tsrv me=200 peer=21 l=2 r=1 lmac=c8 pmac=15; fi
    local u=ta; [ $side = s ] && u=tb
    if [ $mode = vxlan ]; then
      ip -n $ns link add tap0 type vxlan id 4242 local 10.99.0.$l remote 10.99.0.$r dstport 4789 dev $u
    else
      local lo=10.99.0.$l ro=10.99.0.$r
      [ $outer6 = 1 ] && lo=fd99::$l ro=fd99::$r
      [ $tap = 1 ] && ip -n $ns tuntap add dev tap0 mode tap || ip -n $ns tuntap add dev tun0 mode tun
      ip netns exec $ns python3 "$HERE/userspace_tunnel.py" $mode --dev $dev --local $lo --remote $ro \
        --ifname $u --peer-mac 02:00:0a:63:00:0$r >"$W/tun-$side.log" 2>&1 &
      PIDS+=($!)
    fi
    ip netns exec $ns sysctl -qw net.ipv6.conf.$dev.router_solicitations=0 >/dev/null 2>&1
    [ $tap = 1 ] && ip -n $ns link set $dev address 02:00:c0:a8:01:$lmac
    ip -n $ns link set $dev mtu 1400 up
    if [ $tap = 1 ]; then
      ip -n $ns addr add 192.168.1.$me/24 dev $dev
    else
      ip -n $ns addr add 192.168.1.$me peer 192.168.1.$peer dev $dev
    fi
    ip -n $ns addr add fd00:77::$me/64 dev $dev nodad
  done
  sleep 1
  ip netns exec tsrv python3 -m http.server 80 --bind :: --directory "$W/www" >"$W/http.log" 2>&1 &
  PIDS+=($!)
  ip netns exec tsrv dnsmasq -k -C /dev/null --no-resolv --no-hosts --addn-hosts="$W/hosts" --local=/tun.test/ \
    --listen-address=192.168.1.200 --listen-address=fd00:77::200 --bind-interfaces --user=root --group=root \
    --pid-file="$W/dnsmasq.pid" >"$W/dnsmasq.log" 2>&1 &
  PIDS+=($!)
  sleep 1
  ip netns exec tsrv tcpdump -n -i tb -s 0 -w "$OUT/tunnel-$mode.pcap" >"$W/tcpdump.log" 2>&1 &
  local tcpd=$!
  sleep 1
  local C="ip netns exec tcli"
  if [ $v6in = 1 ]; then
    $C dig @fd00:77::200 +tries=1 +time=2 www.tun.test AAAA >/dev/null
    $C curl -sS -g -o /dev/null "http://[fd00:77::200]/index.html"
  else
    $C dig @192.168.1.200 +tries=1 +time=2 www.tun.test A >/dev/null
    $C curl -sS -o /dev/null http://192.168.1.200/index.html
    [ $v6ping = 1 ] && $C dig @fd00:77::200 +tries=1 +time=2 www.tun.test AAAA >/dev/null
  fi
  sleep 1
  kill -INT $tcpd; wait $tcpd
  cleanup
  echo "$mode: $(tshark -r "$OUT/tunnel-$mode.pcap" 2>/dev/null | wc -l) packets"
}

for m in $MODES; do run_mode $m; done
