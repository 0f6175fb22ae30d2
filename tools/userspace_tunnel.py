#!/usr/bin/env python3
"""One end of a tunnel implemented in user space, for making real tunnel captures on kernels built
without the gre/ipip/sit/ip6tnl/geneve/mpls modules (tools/make_tunnel_captures.sh).

The inner traffic is real: a TUN (L3) or TAP (L2) device carries what the kernel's own stacks send
(curl, python http.server, dig, dnsmasq); this process wraps each packet it reads from the
device into the encapsulation and sends it to the peer over the underlay (a raw IP socket, a UDP
socket or an AF_PACKET socket on the veth), and unwraps what the peer sends into the device.

usage: userspace_tunnel.py MODE --dev tun0 --local A --remote B [--ifname veth --peer-mac M]
modes: ipip sit ip4ip6 ip6ip6 gre gre-ksc gre6 gretap gre-in-gre geneve mpls mpls-vlan gtpu teredo
       pppoe-qinq (a PPPoE session in 802.1ad + 802.1Q tags), erspan (ERSPAN type II over GRE, TAP)
"""
import argparse, fcntl, os, select, socket, struct

TUNSETIFF, IFF_TUN, IFF_TAP, IFF_NO_PI = 0x400454CA, 0x0001, 0x0002, 0x1000
ETH_P_ALL, ETH_P_MPLS = 0x0003, 0x8847


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_header(src, dst, proto, payload_len, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident & 0xFFFF, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def open_dev(name, tap):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), (IFF_TAP if tap else IFF_TUN) | IFF_NO_PI))
    return fd


def inner_proto(pkt):
    return 0x86DD if pkt[0] >> 4 == 6 else 0x0800


class Gre:
    """GRE (RFC 2784/2890) over IPv4 or IPv6; optional checksum, key and sequence number."""

    def __init__(self, a, v6=False, key=None, seq=False, cs=False, tap=False, nested=None, erspan=False):
        self.erspan = erspan
        self.family = socket.AF_INET6 if v6 else socket.AF_INET
        self.sock = socket.socket(self.family, socket.SOCK_RAW, 47)
        self.remote, self.key, self.seq, self.cs, self.tap = a.remote, key, seq, cs, tap
        self.nested = nested  # (inner outer src, dst) for GRE-in-GRE: GRE/IPv4 inside this GRE
        self.n = 0
        self.ident = 0x100

    def header(self, proto, payload, key=None, seq=False, cs=False):
        flags = (0x8000 if cs else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq else 0)
        h = struct.pack("!HH", flags, proto)
        opt = b""
        if cs:
            opt += b"\0\0\0\0"
        if key is not None:
            opt += struct.pack("!I", key)
        if seq:
            self.n += 1
            opt += struct.pack("!I", self.n)
        if cs:
            c = csum(h + opt + payload)
            opt = struct.pack("!HH", c, 0) + opt[4:]
        return h + opt

    def send(self, pkt):
        proto = 0x6558 if self.tap else inner_proto(pkt)
        if self.erspan:  # ERSPAN type II: version 1, VLAN 0, COS 0, session 1023, index 7, then the frame
            proto, pkt = 0x88BE, struct.pack("!HHI", 0x1000, 0x03FF, 7) + pkt
            self.sock.sendto(self.header(proto, pkt, None, True) + pkt, (self.remote, 0))
            return
        if self.nested:
            g = self.header(proto, pkt) + pkt
            self.ident += 1
            pkt = ipv4_header(self.nested[0], self.nested[1], 47, len(g), self.ident) + g
            proto = 0x0800
        self.sock.sendto(self.header(proto, pkt, self.key, self.seq, self.cs) + pkt, (self.remote, 0))

    @staticmethod
    def strip(b):
        flags = struct.unpack("!H", b[:2])[0]
        n = 4 + (4 if flags & 0x8000 else 0) + (4 if flags & 0x2000 else 0) + (4 if flags & 0x1000 else 0)
        return struct.unpack("!H", b[2:4])[0], b[n:]

    def recv(self):
        b = self.sock.recv(65535)
        if self.family == socket.AF_INET:
            b = b[(b[0] & 15) * 4:]
        proto, b = self.strip(b)
        if proto == 0x88BE:
            b = b[8:]
        if self.nested and proto == 0x0800 and len(b) > 20 and b[9] == 47:
            proto, b = self.strip(b[(b[0] & 15) * 4:])
        return b


class RawIp:
    """IP-in-IP (4), 6in4 (41) over IPv4, 4in6 / 6in6 over IPv6: the kernel writes the outer header."""

    def __init__(self, a, family, proto):
        self.family, self.remote = family, a.remote
        self.sock = socket.socket(family, socket.SOCK_RAW, proto)

    def send(self, pkt):
        self.sock.sendto(pkt, (self.remote, 0))

    def recv(self):
        b = self.sock.recv(65535)
        return b[(b[0] & 15) * 4:] if self.family == socket.AF_INET else b


class Geneve:
    """Geneve (RFC 8926) over UDP 6081, Ethernet payload, one 8-byte option."""

    def __init__(self, a):
        self.remote = a.remote
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((a.local, 6081))

    def send(self, pkt):
        opt = struct.pack("!HBB", 0x0102, 0x80, 1) + b"\x00\x00\x00\x2a"  # class, type, length 1 word
        hdr = struct.pack("!BBH", len(opt) // 4, 0, 0x6558) + struct.pack("!I", 0x1234 << 8)
        self.sock.sendto(hdr + opt + pkt, (self.remote, 6081))

    def recv(self):
        b = self.sock.recv(65535)
        return b[8 + (b[0] & 0x3F) * 4:]


class UdpTunnel:
    """GTP-U (UDP 2152, 3GPP TS 29.281: G-PDU with a TEID) or Teredo (UDP 3544, RFC 4380: bare IPv6)."""

    def __init__(self, a, port, gtp):
        self.remote, self.port, self.gtp = a.remote, port, gtp
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((a.local, port))

    def send(self, pkt):
        hdr = struct.pack("!BBHI", 0x30, 0xFF, len(pkt), 0x1234ABCD) if self.gtp else b""
        self.sock.sendto(hdr + pkt, (self.remote, self.port))

    def recv(self):
        b = self.sock.recv(65535)
        return b[8:] if self.gtp else b


class Mpls:
    """MPLS over Ethernet (0x8847), a two-label stack, optionally inside an 802.1Q tag."""

    def __init__(self, a, vlan=None):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((a.ifname, 0))
        self.peer = bytes.fromhex(a.peer_mac.replace(":", ""))
        self.me = self.sock.getsockname()[4]
        self.vlan = vlan

    def send(self, pkt):
        labels = struct.pack("!I", (1000 << 12) | (1 << 9) | 64) + struct.pack("!I", (16 << 12) | 0x100 | 63)
        eth = self.peer + self.me + (struct.pack("!HH", 0x8100, self.vlan) if self.vlan else b"")
        self.sock.send(eth + struct.pack("!H", ETH_P_MPLS) + labels + pkt)

    def recv(self):
        b, addr = self.sock.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            return None
        t = struct.unpack("!H", b[12:14])[0]
        off = 14
        if t == 0x8100:
            t, off = struct.unpack("!H", b[16:18])[0], 18
        if t != ETH_P_MPLS:
            return None
        while off + 4 <= len(b):
            bos = b[off + 2] & 1
            off += 4
            if bos:
                return b[off:]
        return None


class PppoeQinq:
    """A PPPoE session (0x8864, session 0x2a) carrying PPP (IPv4 0x0021, IPv6 0x0057) inside an 802.1ad
    service tag (VLAN 100) and an 802.1Q customer tag (VLAN 200), on an AF_PACKET socket."""

    def __init__(self, a):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((a.ifname, 0))
        self.peer = bytes.fromhex(a.peer_mac.replace(":", ""))
        self.me = self.sock.getsockname()[4]

    def send(self, pkt):
        ppp = struct.pack("!H", 0x0057 if pkt[0] >> 4 == 6 else 0x0021) + pkt
        tags = struct.pack("!HHHH", 0x88A8, 100, 0x8100, 200)
        self.sock.send(self.peer + self.me + tags + struct.pack("!HBBHH", 0x8864, 0x11, 0, 0x2A, len(ppp)) + ppp)

    def recv(self):
        b, addr = self.sock.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            return None
        off = 12  # a tag the NIC took into metadata is simply absent here
        while b[off:off + 2] in (b"\x88\xa8", b"\x81\x00"):
            off += 4
        if b[off:off + 2] != b"\x88\x64" or len(b) < off + 10:
            return None
        n = struct.unpack("!H", b[off + 6:off + 8])[0]
        return b[off + 10:off + 8 + n]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("--dev", required=True)
    ap.add_argument("--local", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--ifname")
    ap.add_argument("--peer-mac")
    a = ap.parse_args()
    m = a.mode
    tap = m in ("gretap", "geneve", "erspan")
    t = {
        "ipip": lambda: RawIp(a, socket.AF_INET, 4),
        "sit": lambda: RawIp(a, socket.AF_INET, 41),
        "ip4ip6": lambda: RawIp(a, socket.AF_INET6, 4),
        "ip6ip6": lambda: RawIp(a, socket.AF_INET6, 41),
        "gre": lambda: Gre(a),
        "gre-ksc": lambda: Gre(a, key=0x2a, seq=True, cs=True),
        "gre6": lambda: Gre(a, v6=True, key=7),
        "gretap": lambda: Gre(a, tap=True),
        "gre-in-gre": lambda: Gre(a, key=1, nested=("10.98.0.1", "10.98.0.2")
                                  if a.local < a.remote else ("10.98.0.2", "10.98.0.1")),
        "geneve": lambda: Geneve(a),
        "mpls": lambda: Mpls(a),
        "gtpu": lambda: UdpTunnel(a, 2152, True),
        "teredo": lambda: UdpTunnel(a, 3544, False),
        "mpls-vlan": lambda: Mpls(a, vlan=0x2000 | 100),
        "pppoe-qinq": lambda: PppoeQinq(a),
        "erspan": lambda: Gre(a, tap=True, erspan=True),
    }[m]()
    fd = open_dev(a.dev, tap)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([fd, t.sock], [], [])
        if fd in r:
            t.send(os.read(fd, 65535))
        if t.sock in r:
            b = t.recv()
            if b:
                os.write(fd, b)


if __name__ == "__main__":
    main()
