#!/bin/sh
# Regenerates the tshark 4.0.17 references for the crafted captures (run make_crafted.py first).
set -e
cd "$(dirname "$0")"
FIELDS="frame.number frame.len frame.cap_len frame.protocols eth.src eth.dst eth.type eth.len llc.dsap llc.ssap llc.control
vlan.priority vlan.dei vlan.id vlan.etype sll.pkttype sll.hatype sll.halen sll.src.eth sll.etype sll.ifindex null.family
arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4
ip.src ip.dst ip.proto ip.len ip.hdr_len ipv6.version ipv6.tclass ipv6.tclass.dscp ipv6.tclass.ecn ipv6.flow ipv6.plen ipv6.nxt ipv6.hlim ipv6.src ipv6.dst
ipv6.fraghdr.offset ipv6.fraghdr.more ipv6.fraghdr.ident ipv6.hopopts.nxt ipv6.hopopts.len ipv6.dstopts.nxt ipv6.opt.type ipv6.routing.type ipv6.routing.segleft
icmp.type icmp.code icmp.checksum icmp.checksum.status icmp.ident icmp.seq
icmpv6.type icmpv6.code icmpv6.checksum icmpv6.checksum.status icmpv6.echo.identifier icmpv6.echo.sequence_number
icmpv6.nd.ns.target_address icmpv6.nd.na.target_address icmpv6.opt.type icmpv6.opt.linkaddr _ws.col.Protocol _ws.col.Info"
args=""
for f in $FIELDS; do args="$args -e $f"; done
for p in *.pcap; do
  x=${p%.pcap}
  tshark -n -r "$p" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
    -T fields -E header=y -E separator=/t -E occurrence=f $args > "$x.fields.tsv"
  tshark -n -r "$p" -V -o tcp.check_checksum:TRUE -c 20 > "$x.verbose.txt"
done
