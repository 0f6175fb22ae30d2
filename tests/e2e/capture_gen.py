"""Reading, writing and synthesising pcap / pcapng captures for the end-to-end tests and the fuzz
corpora. Pure Python, deterministic, no dependencies. (Not a test: the test runner globs test_*.py.)
"""
import struct

PCAP_MAGICS = {
    b"\xa1\xb2\xc3\xd4": (">", False), b"\xd4\xc3\xb2\xa1": ("<", False),
    b"\xa1\xb2\x3c\x4d": (">", True), b"\x4d\x3c\xb2\xa1": ("<", True),
}
PCAPNG_SHB = 0x0A0D0D0A


# ---------------------------------------------------------------- classic pcap
class Pcap:
    """A parsed classic pcap: header fields and records as (sec, frac, caplen, wirelen, data)."""

    def __init__(self, raw):
        self.endian, self.nano = PCAP_MAGICS[raw[:4]]
        e = self.endian
        (_, self.vmaj, self.vmin, self.zone, self.sigfigs, self.snaplen,
         self.linktype) = struct.unpack(e + "IHHiIII", raw[:24])
        self.records = []
        self.offsets = []  # byte offset of each record header
        off = 24
        while off + 16 <= len(raw):
            sec, frac, cap, wire = struct.unpack(e + "IIII", raw[off:off + 16])
            if off + 16 + cap > len(raw):
                break
            self.offsets.append(off)
            self.records.append((sec, frac, cap, wire, raw[off + 16:off + 16 + cap]))
            off += 16 + cap
        self.end = off


def pcap_header(linktype, snaplen=262144, endian="<", nano=False):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    return struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(data, sec=0, frac=0, wirelen=None, caplen=None, endian="<"):
    cap = len(data) if caplen is None else caplen
    wire = len(data) if wirelen is None else wirelen
    return struct.pack(endian + "IIII", sec & 0xFFFFFFFF, frac & 0xFFFFFFFF, cap, wire) + data


def write_pcap(records, linktype=1, snaplen=262144, endian="<", nano=False):
    """records: iterable of (sec, frac, data) or (sec, frac, data, wirelen)."""
    out = [pcap_header(linktype, snaplen, endian, nano)]
    for r in records:
        out.append(pcap_record(r[2], r[0], r[1], r[3] if len(r) > 3 else None, endian=endian))
    return b"".join(out)


# ---------------------------------------------------------------- pcapng
def pcapng_blocks(raw):
    """Yields (offset, type, total_length, endian) for every whole block."""
    off, endian = 0, "<"
    while off + 12 <= len(raw):
        if struct.unpack("<I", raw[off:off + 4])[0] == PCAPNG_SHB:
            endian = "<" if raw[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(endian + "II", raw[off:off + 8])
        if blen < 12 or blen % 4 or off + blen > len(raw):
            break
        yield off, btype, blen, endian
        off += blen


def _block(btype, body, endian):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(endian + "II", btype, n) + body + struct.pack(endian + "I", n)


def _options(opts, endian):
    if not opts:
        return b""
    out = b""
    for code, val in opts:
        out += struct.pack(endian + "HH", code, len(val)) + val + b"\0" * (-len(val) % 4)
    return out + struct.pack(endian + "HH", 0, 0)


def shb(endian="<", major=1, minor=0):
    return _block(PCAPNG_SHB, struct.pack(endian + "IHHq", 0x1A2B3C4D, major, minor, -1), endian)


def idb(linktype=1, snaplen=0, endian="<", tsresol=None, tsoffset=None):
    opts = []
    if tsresol is not None:
        opts.append((9, bytes([tsresol])))
    if tsoffset is not None:
        opts.append((14, struct.pack(endian + "q", tsoffset)))
    return _block(1, struct.pack(endian + "HHI", linktype, 0, snaplen) + _options(opts, endian), endian)


def epb(data, ts=0, iface=0, wirelen=None, endian="<"):
    wire = len(data) if wirelen is None else wirelen
    body = struct.pack(endian + "IIIII", iface, (ts >> 32) & 0xFFFFFFFF, ts & 0xFFFFFFFF, len(data), wire) + data
    return _block(6, body, endian)


def spb(data, wirelen=None, endian="<"):
    wire = len(data) if wirelen is None else wirelen
    return _block(3, struct.pack(endian + "I", wire) + data, endian)


def opb(data, ts=0, iface=0, endian="<"):
    body = struct.pack(endian + "HHIIII", iface, 0, (ts >> 32) & 0xFFFFFFFF, ts & 0xFFFFFFFF, len(data),
                       len(data)) + data
    return _block(2, body, endian)


def custom_block(payload=b"x" * 8, endian="<"):
    return _block(0x00000BAD, payload, endian)


# ---------------------------------------------------------------- packets
def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0, ttl=64):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, ttl, proto, 0, src, dst)
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535, with_checksum=True):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, window, 0, 0)
    if with_checksum:
        pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(hdr) + len(payload))
        hdr = hdr[:16] + struct.pack("!H", checksum(pseudo + hdr + payload)) + hdr[18:]
    return hdr + payload


def udp(src, dst, sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ether(payload, ethertype=0x0800, src=b"\x02\0\0\0\0\x01", dst=b"\x02\0\0\0\0\x02"):
    return dst + src + struct.pack("!H", ethertype) + payload


def eth_tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", with_checksum=True):
    return ether(ipv4(src, dst, 6, tcp(src, dst, sport, dport, seq, ack, flags, payload,
                                       with_checksum=with_checksum)))


SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


# ---------------------------------------------------------------- fast bulk generators
def _fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _words(b):
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def bulk_tcp(endpoints, payload=b"", endian="<"):
    """Yields pcap records (bytes) of Ethernet/IPv4/TCP segments with correct checksums, fast.
    endpoints: iterable of (src_ip:int, dst_ip:int, sport, dport, seq, ack, flags, ts_us)."""
    plen = len(payload)
    padded = payload + b"\0" * (plen % 2)
    psum = _words(padded) if plen else 0
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    ip_total = 40 + plen
    caplen = 14 + ip_total
    rec_hdr = struct.Struct(endian + "IIII")
    ip_hdr = struct.Struct("!BBHHHBBHII")
    tcp_hdr = struct.Struct("!HHIIBBHHH")
    ip_const = 0x4500 + ip_total + 0x4000 + ((64 << 8) | 6)
    for n, (src, dst, sport, dport, seq, ack, flags, ts) in enumerate(endpoints):
        ident = n & 0xFFFF
        ipc = _fold(ip_const + ident + (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF))
        tsum = ((src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + 20 + plen + sport + dport +
                (seq >> 16) + (seq & 0xFFFF) + (ack >> 16) + (ack & 0xFFFF) + ((5 << 12) | flags) + 65535 + psum)
        yield b"".join((rec_hdr.pack(ts // 1_000_000, ts % 1_000_000, caplen, caplen), eth,
                        ip_hdr.pack(0x45, 0, ip_total, ident, 0x4000, 64, 6, ipc, src, dst),
                        tcp_hdr.pack(sport, dport, seq, ack, 5 << 4, flags, 65535, _fold(tsum), 0), payload))


# ---------------------------------------------------------------- hostile traffic (resource limits)
CLIENT, SERVER = 0xC0A80115, 0xC0A801C8


def syn_flood(n):
    """A pcap stream (chunks) of N SYNs from distinct addresses/ports to one server, none answered."""
    yield pcap_header(1)
    batch = []
    for rec in bulk_tcp(((0x0A000000 + (i >> 8), SERVER, 1024 + (i & 0xFF) * 97 % 60000, 80, (i * 7919) & 0xFFFFFFFF,
                          0, SYN, 1_700_000_000_000_000 + i) for i in range(n))):
        batch.append(rec)
        if len(batch) == 4096:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)


def out_of_order(n, size):
    """A pcap stream (chunks) of one connection whose first SIZE bytes never arrive: N segments of SIZE
    bytes, always ahead of the next expected sequence number."""
    isn_c, isn_s, t0 = 1000, 5000, 1_700_000_000_000_000
    yield pcap_header(1)
    yield b"".join(bulk_tcp([(CLIENT, SERVER, 40000, 80, isn_c, 0, SYN, t0),
                             (SERVER, CLIENT, 80, 40000, isn_s, isn_c + 1, SYN | ACK, t0 + 10),
                             (CLIENT, SERVER, 40000, 80, isn_c + 1, isn_s + 1, ACK, t0 + 20)]))
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    # The first `size` bytes after the ISN never arrive; later segments arrive in a scrambled order
    # (blocks of 8 reversed), with a window update ACK from the server now and then.

    def segs():
        for i in range(n):
            j = (i // 8) * 8 + (7 - i % 8)
            yield (CLIENT, SERVER, 40000, 80, (isn_c + 1 + (j + 1) * size) & 0xFFFFFFFF, isn_s + 1, ACK | PSH,
                   t0 + 100 + i)
    batch = []
    for rec in bulk_tcp(segs(), payload):
        batch.append(rec)
        if len(batch) == 1024:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)


def fragment(src, dst, proto, ident, offset, more, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, (offset // 8) | (0x2000 if more else 0),
                      64, proto, 0, src, dst)
    return ether(hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload)


def fragments(n, size):
    """A pcap stream (chunks) of N first fragments of SIZE-byte IPv4 datagrams that never complete, then
    one TCP SYN in two fragments."""
    t0 = 1_700_000_000
    yield pcap_header(1)
    dst = SERVER.to_bytes(4, "big")
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    batch = []
    for i in range(n):
        src = (0x0A000000 + (i >> 16)).to_bytes(4, "big")
        batch.append(pcap_record(fragment(src, dst, 17, i, 0, True, payload), t0, i % 1_000_000))
        if len(batch) == 4096:
            yield b"".join(batch)
            batch = []
    client = CLIENT.to_bytes(4, "big")
    seg = tcp(client, dst, 40000, 80, 1000, 0, SYN, b"x" * 16)
    batch.append(pcap_record(fragment(client, dst, 6, 7, 0, True, seg[:24]), t0 + 1, 0))
    batch.append(pcap_record(fragment(client, dst, 6, 7, 24, False, seg[24:]), t0 + 1, 1))
    yield b"".join(batch)
