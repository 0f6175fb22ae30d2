#!/usr/bin/env python3
"""Writes the crafted link/network-layer captures in this folder with Python's struct.

usage: make_crafted.py [outdir]   (then regenerate the tshark references with make_refs.sh)

Addresses follow the corpus (192.168.1.21/.200, fd00:77::21/::200, 02:00:c0:a8:01:15/c8).
Every malformed frame is followed by a well-formed one, so readers can check recovery.
"""
import os
import struct
import sys

MAC_C = bytes.fromhex("0200c0a80115")
MAC_S = bytes.fromhex("0200c0a801c8")
BCAST = b"\xff" * 6
IP_C = bytes([192, 168, 1, 21])
IP_S = bytes([192, 168, 1, 200])
V6_C = bytes.fromhex("fd000077000000000000000000000021")
V6_S = bytes.fromhex("fd000077000000000000000000000200")
LL_C = bytes.fromhex("fe80000000000000c0fffffea80115"[:0] + "fe80000000000000c0fffffea80115".ljust(32, "0"))
LL_C = bytes.fromhex("fe800000000000000000c0fffea80115")
ALL_NODES = bytes.fromhex("ff020000000000000000000000000001")
ALL_ROUTERS = bytes.fromhex("ff020000000000000000000000000002")
T0 = 1795685084


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(proto, payload, src=IP_C, dst=IP_S, ident=0x1234, flags=0x4000, ttl=64, ihl=5, total=None, opts=b""):
    hl = 20 + len(opts)
    tl = hl + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", (4 << 4) | ihl, 0, tl, ident, flags, ttl, proto, 0, src, dst) + opts
    c = csum(h)
    h = h[:10] + struct.pack("!H", c) + h[12:]
    return h + payload


def pseudo4(src, dst, proto, ln):
    return src + dst + struct.pack("!BBH", 0, proto, ln)


def pseudo6(src, dst, nxt, ln):
    return src + dst + struct.pack("!IxxxB", ln, nxt)


def udp4(sport, dport, data, src=IP_C, dst=IP_S):
    ln = 8 + len(data)
    h = struct.pack("!HHHH", sport, dport, ln, 0) + data
    c = csum(pseudo4(src, dst, 17, ln) + h) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + h[8:]


def tcp4(sport, dport, seq, ack, flags, data=b"", doff=5, opts=b"", src=IP_C, dst=IP_S):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 64240, 0, 0) + opts + data
    c = csum(pseudo4(src, dst, 6, len(h)) + h)
    return h[:16] + struct.pack("!H", c) + h[18:]


def icmp4(typ, code, rest, data=b""):
    h = struct.pack("!BBH", typ, code, 0) + rest + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def icmp6(src, dst, typ, code, body):
    h = struct.pack("!BBH", typ, code, 0) + body
    c = csum(pseudo6(src, dst, 58, len(h)) + h)
    return h[:2] + struct.pack("!H", c) + h[4:]


def ipv6(nxt, payload, src=V6_C, dst=V6_S, hlim=64, tc=0, flow=0, plen=None):
    first = (6 << 28) | (tc << 20) | flow
    return struct.pack("!IHBB", first, len(payload) if plen is None else plen, nxt, hlim) + src + dst + payload


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def vlan_tag(tci, etype):
    return struct.pack("!HH", tci, etype)


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def pad60(f):
    return f + b"\0" * max(0, 60 - len(f))


def write_pcap(path, linktype, frames, snaplen=262144):
    """frames: list of bytes or (bytes, wire_len)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for i, fr in enumerate(frames):
            data, wire = (fr, len(fr)) if isinstance(fr, bytes) else fr
            f.write(struct.pack("<IIII", T0 + i, 1000 * i, len(data), wire))
            f.write(data)


def echo4(ident, seq, req=True, ttl=64, data=bytes(range(16))):
    p = icmp4(8 if req else 0, 0, struct.pack("!HH", ident, seq), data)
    return ipv4(1, p, *( (IP_C, IP_S) if req else (IP_S, IP_C)), ident=0x0100 + seq, ttl=ttl)


def build(out):
    # --- 802.1Q / QinQ / 802.3 ---------------------------------------------------------------------
    frames = []
    frames.append(eth(MAC_S, MAC_C, 0x8100, vlan_tag((5 << 13) | 100, 0x0800) + echo4(0x1a2b, 1)))
    frames.append(eth(MAC_C, MAC_S, 0x8100, vlan_tag((5 << 13) | (1 << 12) | 100, 0x0800) + echo4(0x1a2b, 1, req=False)))
    frames.append(eth(MAC_S, MAC_C, 0x88A8, vlan_tag(200, 0x8100) + vlan_tag((3 << 13) | 10, 0x0800)
                      + ipv4(17, udp4(40000, 9999, b"qinq-payload"))))
    frames.append(pad60(eth(BCAST, MAC_C, 0x8100, vlan_tag(7, 0x0806) + arp(1, MAC_C, IP_C, b"\0" * 6, IP_S))))
    frames.append(eth(MAC_S, MAC_C, 0x8100, vlan_tag(4095, 0x86DD)
                      + ipv6(58, icmp6(V6_C, V6_S, 128, 0, struct.pack("!HH", 0x77, 3) + b"ping6data"))))
    llc = bytes([0x12, 0x12, 0x03]) + b"hello-llc-data"
    frames.append(pad60(eth(MAC_S, MAC_C, len(llc), llc)))
    write_pcap(os.path.join(out, "vlan.pcap"), 1, frames)

    # --- Linux cooked v1 ----------------------------------------------------------------------------
    def sll(pkttype, etype, payload, addr=MAC_C):
        return struct.pack("!HHH", pkttype, 1, len(addr)) + addr.ljust(8, b"\0") + struct.pack("!H", etype) + payload
    frames = [
        sll(0, 0x0800, echo4(0x0042, 1)),
        sll(4, 0x0800, echo4(0x0042, 1, req=False), MAC_S),
        sll(1, 0x0806, arp(1, MAC_C, IP_C, b"\0" * 6, IP_S)),
        sll(0, 0x86DD, ipv6(58, icmp6(V6_C, V6_S, 128, 0, struct.pack("!HH", 0x42, 1)))),
        sll(3, 0x0800, ipv4(17, udp4(40000, 9999, b"x" * 10))),
    ]
    write_pcap(os.path.join(out, "sll.pcap"), 113, frames)

    # --- BSD loopback (host order = little endian), OpenBSD loop (network order), raw IP ----------
    e4, e6 = echo4(0x0007, 1), ipv6(58, icmp6(V6_C, V6_S, 128, 0, struct.pack("!HH", 7, 1) + b"abc"))
    write_pcap(os.path.join(out, "null-le.pcap"), 0,
               [struct.pack("<I", 2) + e4, struct.pack("<I", 30) + e6, struct.pack("<I", 24) + e6])
    write_pcap(os.path.join(out, "loop-be.pcap"), 108,
               [struct.pack("!I", 2) + e4, struct.pack("!I", 24) + e6])
    write_pcap(os.path.join(out, "raw-ip.pcap"), 101, [e4, e6, ipv4(6, tcp4(40001, 80, 1000, 0, 0x02))])

    # --- IPv6 extension headers and ICMPv6 ----------------------------------------------------------
    frames = []
    # hop-by-hop (router alert + PadN) -> destination options (Pad1 x?, PadN) -> ICMPv6 echo request
    hbh = bytes([60, 0]) + bytes([5, 2, 0, 0]) + bytes([1, 0])
    dst_opts = bytes([58, 0]) + bytes([1, 4, 0, 0, 0, 0])
    body = icmp6(V6_C, V6_S, 128, 0, struct.pack("!HH", 0x1111, 1) + b"ext-hdrs")
    frames.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(0, hbh + dst_opts + body)))
    # routing header type 2? use type 0 with one address, segments left 0
    rt = bytes([58, 2, 0, 0]) + b"\0" * 4 + V6_S
    frames.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(43, rt + icmp6(V6_C, V6_S, 129, 0, struct.pack("!HH", 0x1111, 1)))))
    # fragment header: first fragment (offset 0, M=1) and last fragment (offset 16, M=0)
    echo = icmp6(V6_C, V6_S, 128, 0, struct.pack("!HH", 0x2222, 5) + bytes(range(24)))
    frames.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(44, struct.pack("!BBHI", 58, 0, 0 | 1, 0xdeadbeef) + echo[:16])))
    frames.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(44, struct.pack("!BBHI", 58, 0, 16, 0xfeedf00d) + echo[16:])))
    # ICMPv6 echo reply
    frames.append(eth(MAC_C, MAC_S, 0x86DD, ipv6(58, icmp6(V6_S, V6_C, 129, 0, struct.pack("!HH", 0x2222, 5) + b"pong"), V6_S, V6_C)))
    # router solicitation with SLLA, router advertisement with SLLA, MTU and prefix information
    rs = icmp6(LL_C, ALL_ROUTERS, 133, 0, b"\0" * 4 + bytes([1, 1]) + MAC_C)
    frames.append(eth(bytes.fromhex("333300000002"), MAC_C, 0x86DD, ipv6(58, rs, LL_C, ALL_ROUTERS, hlim=255)))
    ll_s = bytes.fromhex("fe800000000000000000c0fffea801c8")
    pi = bytes([3, 4, 64, 0xC0]) + struct.pack("!III", 2592000, 604800, 0) + bytes.fromhex("fd000077000000000000000000000000")
    ra_body = bytes([64, 0x00]) + struct.pack("!HII", 1800, 0, 0) + bytes([1, 1]) + MAC_S + bytes([5, 1, 0, 0]) + struct.pack("!I", 1500) + pi
    ra = icmp6(ll_s, ALL_NODES, 134, 0, ra_body)
    frames.append(eth(bytes.fromhex("333300000001"), MAC_S, 0x86DD, ipv6(58, ra, ll_s, ALL_NODES, hlim=255)))
    # neighbor advertisement from router (R flag), no options
    na = icmp6(ll_s, LL_C, 136, 0, struct.pack("!I", 0xC0000000) + ll_s)
    frames.append(eth(MAC_C, MAC_S, 0x86DD, ipv6(58, na, ll_s, LL_C, hlim=255)))
    # ICMPv6 destination unreachable (port) quoting an IPv6/UDP datagram
    inner = ipv6(17, struct.pack("!HHHH", 40000, 9999, 12, 0x1234) + b"data", V6_C, V6_S)
    du = icmp6(V6_S, V6_C, 1, 4, b"\0" * 4 + inner)
    frames.append(eth(MAC_C, MAC_S, 0x86DD, ipv6(58, du, V6_S, V6_C)))
    # traffic class / flow label set, TCP SYN
    syn = struct.pack("!HHIIBBHHH", 40002, 80, 1, 0, 5 << 4, 2, 64800, 0, 0)
    c = csum(pseudo6(V6_C, V6_S, 6, len(syn)) + syn)
    syn = syn[:16] + struct.pack("!H", c) + syn[18:]
    frames.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(6, syn, tc=0xB9, flow=0xABCDE)))
    write_pcap(os.path.join(out, "ipv6-ext.pcap"), 1, frames)

    # --- ICMP (v4) ----------------------------------------------------------------------------------
    frames = [eth(MAC_S, MAC_C, 0x0800, echo4(0x1f2e, 1)),
              eth(MAC_C, MAC_S, 0x0800, echo4(0x1f2e, 1, req=False)),
              eth(MAC_S, MAC_C, 0x0800, echo4(0x1f2e, 2))]
    quoted = ipv4(17, udp4(41000, 9, b"hello"), ident=0x4321)
    unreach = ipv4(1, icmp4(3, 3, b"\0" * 4, quoted), IP_S, IP_C, ident=0x9999, flags=0)
    frames.append(eth(MAC_C, MAC_S, 0x0800, unreach))
    quoted_tcp = ipv4(6, tcp4(41001, 81, 77, 0, 0x02)[:8])
    frames.append(eth(MAC_C, MAC_S, 0x0800, ipv4(1, icmp4(3, 1, b"\0" * 4, quoted_tcp), IP_S, IP_C, flags=0)))
    frames.append(eth(MAC_C, MAC_S, 0x0800, ipv4(1, icmp4(11, 0, b"\0" * 4, quoted), IP_S, IP_C, flags=0)))
    write_pcap(os.path.join(out, "icmp.pcap"), 1, frames)

    # --- ARP ----------------------------------------------------------------------------------------
    frames = [pad60(eth(BCAST, MAC_C, 0x0806, arp(1, MAC_C, IP_C, b"\0" * 6, IP_S))),
              pad60(eth(MAC_C, MAC_S, 0x0806, arp(2, MAC_S, IP_S, MAC_C, IP_C))),
              pad60(eth(BCAST, MAC_C, 0x0806, arp(1, MAC_C, IP_C, b"\0" * 6, IP_C)))]  # gratuitous
    write_pcap(os.path.join(out, "arp.pcap"), 1, frames)

    # --- malformed / truncated: each bad frame is followed by a good one --------------------------
    good = eth(MAC_S, MAC_C, 0x0800, echo4(0x0bad, 9))
    syn_ok = ipv4(6, tcp4(40003, 80, 100, 0, 0x02))
    bad = []
    bad.append(MAC_S + MAC_C[:4])                                                   # 1 Ethernet truncated
    bad.append(eth(MAC_S, MAC_C, 0x0800, bytes([0x44]) + ipv4(1, b"")[1:] + b"\0" * 8))  # 3 IHL 4
    short = ipv4(1, icmp4(8, 0, struct.pack("!HH", 1, 1), b"abcd"), total=200)
    bad.append(eth(MAC_S, MAC_C, 0x0800, short))                                   # 5 total length > frame
    bad.append(eth(MAC_S, MAC_C, 0x0800, ipv4(6, tcp4(40004, 80, 1, 0, 0x02, doff=4))))   # 7 TCP doff 4
    bad.append(eth(MAC_S, MAC_C, 0x0800, ipv4(6, tcp4(40005, 80, 1, 0, 0x02, doff=15))))  # 9 TCP doff 15 > seg
    chain = b"".join(bytes([60, 0, 1, 4, 0, 0, 0, 0]) for _ in range(20)) + bytes([59, 0, 1, 4, 0, 0, 0, 0])
    bad.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(0, chain)))                           # 11 ext chain too long
    bad.append(eth(MAC_S, MAC_C, 0x86DD, ipv6(0, bytes([58, 4, 1, 4, 0, 0, 0, 0]))))       # 13 ext overrun
    full = eth(MAC_S, MAC_C, 0x0800, syn_ok)
    bad.append((full[:40], len(full)))                                              # 15 caplen < wire len
    frames = []
    for b in bad:
        frames.append(b)
        frames.append(good)
    write_pcap(os.path.join(out, "malformed.pcap"), 1, frames)


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
