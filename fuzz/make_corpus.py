#!/usr/bin/env python3
"""Rebuilds the seed corpora under fuzz/corpus/<target>/ from the captures in tests/data.

usage: fuzz/make_corpus.py [--data tests/data] [--out fuzz/corpus]

Deterministic, and small on purpose (a few hundred KB in all): whole small captures, the first
records of the big ones, pcapng variants (both byte orders, every packet block kind, timestamp
resolutions and offsets, several sections and interfaces), single frames for fuzz_decode and short
frame runs for fuzz_describe, and scripts of the FTP/SMTP/POP3/Telnet streams for the fuzz_app_*
targets. Libfuzzer grows its own corpus from these; commit only the seeds.
"""
import argparse
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import capture_gen as cg  # noqa: E402

# Same order as ps::fuzz::link_types() in fuzz/common/fuzz_input.cpp.
LINK_TYPES = [1, 113, 276, 0, 108, 101, 12, 14, 228, 229, 147, 9, 50, 104, 105, 127, 239, 258]
MAX_SEED = 24 * 1024


def put(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def first_records(p, raw, limit):
    """The file header and as many whole records as fit in `limit` bytes."""
    end = 24
    for off, rec in zip(p.offsets, p.records):
        nxt = off + 16 + rec[2]
        if nxt > limit:
            break
        end = nxt
    return raw[:end]


def pcapng_variants(frames, linktype):
    """frames: list of (ts_us, data)."""
    out = []
    for e in ("<", ">"):
        out.append(cg.shb(e) + cg.idb(linktype, 0, e) + b"".join(cg.epb(d, t, 0, endian=e) for t, d in frames))
    out.append(cg.shb() + cg.idb(linktype, 65535, tsresol=9) + cg.custom_block() +
               b"".join(cg.epb(d, t * 1000) for t, d in frames[:6]))
    out.append(cg.shb() + cg.idb(linktype, 128, tsresol=0x80 | 20, tsoffset=-86400) +
               b"".join(cg.spb(d[:128], len(d)) for _, d in frames[:6]))
    out.append(cg.shb(">") + cg.idb(linktype, 0, ">", tsresol=3) + cg.idb(101, 0, ">") +
               b"".join(cg.opb(d, t, i % 2, endian=">") for i, (t, d) in enumerate(frames[:6])) +
               cg.shb() + cg.idb(linktype) + b"".join(cg.epb(d, t) for t, d in frames[6:10]))
    return out


def split_record(link, data):
    return bytes([LINK_TYPES.index(link) if link in LINK_TYPES else LINK_TYPES.index(147)]) + \
        struct.pack(">H", len(data)) + data


def l4(frame, linktype):
    """(proto, sport, dport, payload) of an Ethernet/SLL2 IPv4/IPv6 TCP or UDP frame, else None."""
    if linktype == 1:
        et, off = struct.unpack(">H", frame[12:14])[0], 14
    elif linktype == 276:
        et, off = struct.unpack(">H", frame[0:2])[0], 20
    else:
        return None
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        proto, total = frame[off + 9], struct.unpack(">H", frame[off + 2:off + 4])[0]
        end, off = off + total, off + ihl
    elif et == 0x86DD and len(frame) >= off + 40:
        proto, plen = frame[off + 6], struct.unpack(">H", frame[off + 4:off + 6])[0]
        end, off = off + 40 + plen, off + 40
    else:
        return None
    if proto == 6 and len(frame) >= off + 20:
        sport, dport = struct.unpack(">HH", frame[off:off + 4])
        return 6, sport, dport, frame[off + (frame[off + 12] >> 4) * 4:end]
    if proto == 17 and len(frame) >= off + 8:
        sport, dport = struct.unpack(">HH", frame[off:off + 4])
        return 17, sport, dport, frame[off + 8:end]
    return None


def app_seeds(out, p, name):
    """HTTP scripts for fuzz_app_http, DNS messages for fuzz_app_dns, TCP scripts for fuzz_reassembly."""
    script, segs = b"", []
    for rec in p.records:
        got = l4(rec[4], p.linktype)
        if not got:
            continue
        proto, sport, dport, payload = got
        if proto == 17 and 53 in (sport, dport) and payload:
            put(out, "fuzz_app_dns", payload)
        if proto == 6 and payload and (80 in (sport, dport) or name == "http-port-2222.pcap"):
            d = 0 if dport in (80, 2222) else 1
            for i in range(0, len(payload), 255):
                chunk = payload[i:i + 255]
                script += bytes([d | (1 << 1), len(chunk)]) + chunk
            segs.append(len(payload))
    if script:
        put(out, "fuzz_app_http", script[:16384])
    if segs:
        # In order, then the same segments reversed and retransmitted, with the SYN (mode 8).
        ops, off = b"", 0
        for n in segs[:40]:
            ops += bytes([0]) + struct.pack(">HH", (off // 97) & 0xFFFF, n & 0xFFFF)
            off += n
        put(out, "fuzz_reassembly", bytes([8]) + struct.pack(">I", 0xFFFFF000) + ops)
        put(out, "fuzz_reassembly", bytes([8 | 4]) + struct.pack(">I", 12345) + ops[::-1][:0] +
            b"".join(reversed([ops[i:i + 5] for i in range(0, len(ops), 5)])) + bytes([2, 0, 0, 0xFF, 0xFF]))


# Line-based analyzers with an app_script target (fuzz/common/app_script.h): capture → (target, port).
STREAM_TARGETS = {
    "ftp-active.pcap": ("fuzz_app_ftp", 21),
    "ftp-passive.pcap": ("fuzz_app_ftp", 21),
    "smtp.pcap": ("fuzz_app_smtp", 25),
    "pop3.pcap": ("fuzz_app_pop3", 110),
    "telnet.pcap": ("fuzz_app_telnet", 23),
    "app/smtp-auth.pcap": ("fuzz_app_smtp", 25),  # AUTH LOGIN / PLAIN exchanges
    "app/ftp-ext.pcap": ("fuzz_app_ftp", 21),     # EPSV / EPRT data connections
}
STREAM_SEED_MAX = 12 * 1024


def script_record(ctl, chunk):
    return bytes([ctl, len(chunk)]) + chunk


def stream_segments(p, port):
    """(dir, side, payload) of every TCP segment with payload, in capture order. dir 0: to `port`;
    side: not on `port` (FTP's data connections), capped so the seeds stay small."""
    segs = []
    for rec in p.records:
        got = l4(rec[4], p.linktype)
        if not got or got[0] != 6 or not got[3]:
            continue
        _, sport, dport, payload = got
        if port in (sport, dport):
            segs.append((0 if dport == port else 1, False, payload))
        else:
            segs.append((1, True, payload[:512]))
    return segs


def stream_script(segs, cut=255, gap_after=None, fin=False):
    """One frame per segment, cut into records of `cut` bytes (kind 0 until the frame's last, kind 1)."""
    out = b""
    for n, (d, side, payload) in enumerate(segs):
        pieces = [payload[i:i + cut] for i in range(0, len(payload), cut)]
        for i, chunk in enumerate(pieces):
            kind = 1 if i == len(pieces) - 1 else 0
            out += script_record(d | (kind << 1) | (8 if side else 0), chunk)
        if gap_after is not None and n == gap_after:
            out += bytes([d | (2 << 1), 3])  # 112 bytes lost in that direction
    if fin:
        out += bytes([0 | (3 << 1), 0, 1 | (3 << 1), 0])
    return out


def stream_seeds(out, p, name):
    target, port = STREAM_TARGETS[name]
    segs = stream_segments(p, port)
    for script in (stream_script(segs, fin=True), stream_script(segs, cut=7),
                   stream_script(segs, cut=64, gap_after=4, fin=True)):
        # Whole records only (the script stops at 256 of them anyway).
        end, n, off = 0, 0, 0
        while off + 2 <= len(script) and n < 256:
            nxt = off + 2 + (script[off + 1] if (script[off] >> 1) & 3 < 2 else 0)
            if nxt > STREAM_SEED_MAX:
                break
            off, end, n = nxt, nxt, n + 1
        put(out, target, script[:end])


def defrag_seeds(out):
    """Fragment scripts for fuzz_ip_defrag: [mode] then [op][offset/8:2][length:2] (see the target)."""
    def op(key, off, length, last=False, lie=False):
        return struct.pack(">BHH", key | (4 if last else 0) | (8 if lie else 0), off // 8, length)
    in_order = op(0, 0, 1480) + op(0, 1480, 1480) + op(0, 2960, 40, True)
    put(out, "fuzz_ip_defrag", bytes([0x0F]) + in_order)
    put(out, "fuzz_ip_defrag", bytes([0x0F]) + op(2, 2464, 312, True) + op(2, 1232, 1232) + op(2, 0, 1232))
    # Duplicates and overlaps, then two tails; lies allowed (mode bit 7).
    put(out, "fuzz_ip_defrag", bytes([0x8F]) + op(1, 0, 1000) + op(1, 0, 1000, lie=True) + op(1, 800, 1200, lie=True)
        + op(1, 3000, 500, True) + op(1, 2000, 100, True) + op(1, 1600, 1400))
    # Four datagrams interleaved under tiny limits (one pending datagram, 2 KiB).
    put(out, "fuzz_ip_defrag", bytes([0x00]) + b"".join(op(k, 0, 1200) for k in range(4)) + op(3, 1200, 100, True))


def regressions(out):
    """Inputs of bugs found and fixed, kept as seeds (see fuzz/README.md)."""
    ip = cg.ipv4(b"\x0a\0\0\1", b"\x0a\0\0\2", 6, cg.tcp(b"\x0a\0\0\1", b"\x0a\0\0\2", 1, 80, 1, 0, cg.SYN))
    # decode.cpp: VLAN tags / IP-in-IP nested past the 16-entry layer array (and, deeper, the stack).
    put(out, "fuzz_decode", bytes([0, 0]) + b"\x02" * 12 + b"\x81\x00\x00\x01" * 15 + b"\x08\x00" + ip)
    inner = ip
    for _ in range(20):
        inner = cg.ipv4(b"\x0a\0\0\3", b"\x0a\0\0\4", 4, inner)
    put(out, "fuzz_decode", bytes([LINK_TYPES.index(101), 0]) + inner)
    # decode.cpp tunnels: GRE-in-GRE, VXLAN-in-VXLAN and MPLS without a bottom entry must stop at the
    # depth cap / the frame end, marked malformed.
    inner = ip
    for _ in range(20):
        inner = cg.ipv4(b"\x0a\0\0\3", b"\x0a\0\0\4", 47, b"\x00\x00\x08\x00" + inner)
    put(out, "fuzz_decode", bytes([LINK_TYPES.index(101), 0]) + inner)
    inner = cg.ether(ip)
    for _ in range(12):
        inner = cg.ether(cg.ipv4(b"\x0a\0\0\3", b"\x0a\0\0\4", 17,
                                 cg.udp(b"\x0a\0\0\3", b"\x0a\0\0\4", 4789, 4789,
                                        b"\x08\0\0\0\0\0\x2a\0" + inner)))
    put(out, "fuzz_decode", bytes([0, 0]) + inner)
    put(out, "fuzz_decode", bytes([0, 0]) + b"\x02" * 12 + b"\x88\x47" + b"\x00\x01\x00\x40" * 40)
    # pcapng_reader.cpp: 64-bit timestamps / if_tsoffset past int64 nanoseconds (signed overflow).
    frame = cg.ether(ip)
    for data in (cg.shb() + cg.idb(1) + cg.epb(frame, (1 << 64) - 1) + cg.epb(frame, 0),
                 cg.shb() + cg.idb(1, tsresol=0x80, tsoffset=(1 << 63) - 1) + cg.epb(frame, 5) + cg.epb(frame, 0)):
        put(out, "fuzz_pcapng_reader", data)
        put(out, "fuzz_pipeline", data)
    # telnet_analyzer.cpp: single-byte IAC commands (IAC NOP ...) bypassed the 256-entry cap on a frame's
    # command list; three records of IAC NOP in one frame (kind 0), then its end.
    put(out, "fuzz_app_telnet", b"".join(bytes([0, 254]) + b"\xff\xf1" * 127 for _ in range(3)) + bytes([2, 0]))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "tests", "data"))
    ap.add_argument("--out", default=os.path.join(here, "corpus"))
    a = ap.parse_args()

    # Other implementations' link layers and encapsulations (PPP, HDLC, NFLOG, PKTAP, 802.11, ERSPAN, ...):
    # every frame (up to 2 KiB) of the small captures kept for test_encap.
    tdir = os.path.join(a.data, "tcpdump-tests")
    for name in sorted(os.listdir(tdir)):
        p = cg.Pcap(open(os.path.join(tdir, name), "rb").read())
        if p.linktype not in LINK_TYPES:
            continue
        for rec in p.records[:8]:
            put(a.out, "fuzz_decode", bytes([LINK_TYPES.index(p.linktype), 1 if rec[3] > len(rec[4]) else 0]) + rec[4][:2048])
        run = b"".join(split_record(p.linktype, rec[4][:1500]) for rec in p.records[:12])
        put(a.out, "fuzz_describe", bytes([0x07]) + run)

    pcaps = sorted(f for f in os.listdir(a.data) if f.endswith(".pcap"))
    for name in pcaps:
        raw = open(os.path.join(a.data, name), "rb").read()
        p = cg.Pcap(raw)
        seed = raw if len(raw) <= MAX_SEED else first_records(p, raw, MAX_SEED // 2)
        put(a.out, "fuzz_pcap_reader", seed[:4096] if len(seed) > 4096 else seed)
        put(a.out, "fuzz_pipeline", seed)
        # Distinct single frames (first of each size class) for the decoder.
        seen = set()
        for rec in p.records:
            key = (len(rec[4]) // 64, rec[4][12:14])
            if key in seen or len(seen) >= 6:
                continue
            seen.add(key)
            put(a.out, "fuzz_decode", bytes([LINK_TYPES.index(p.linktype), 0]) + rec[4][:2048])
        # A short run of frames (the start of the conversation) for describe + tracker.
        run = b"".join(split_record(p.linktype, rec[4][:1500]) for rec in p.records[:12])
        put(a.out, "fuzz_describe", bytes([0x07]) + run)
        if name.startswith("frag-"):  # IP fragments again under tiny reassembly limits (option bit 6)
            put(a.out, "fuzz_describe", bytes([0x47]) + run)
        # pcapng variants of the first frames.
        frames = [((rec[0] * 1_000_000 + rec[1]), rec[4][:1600]) for rec in p.records[:10]]
        if name in ("http-basic.pcap", "dns.pcap", "http-ipv6.pcap", "http-any-sll2.pcap", "telnet.pcap"):
            for v in pcapng_variants(frames, p.linktype):
                put(a.out, "fuzz_pcapng_reader", v)
                put(a.out, "fuzz_pipeline", v)
        # Both byte orders and nanosecond stamps for the pcap reader.
        if name in ("http-basic.pcap", "dns.pcap"):
            recs = [(r[0], r[1] * 1000, r[4]) for r in p.records[:8]]
            put(a.out, "fuzz_pcap_reader", cg.write_pcap(recs, p.linktype, endian=">", nano=True))
            put(a.out, "fuzz_pcap_reader", cg.write_pcap(recs, p.linktype, endian="<", nano=True))
        if name in ("http-basic.pcap", "http-keepalive-pipelined.pcap", "dns.pcap", "http-port-2222.pcap"):
            app_seeds(a.out, p, name)
        if name in STREAM_TARGETS:
            stream_seeds(a.out, p, name)
    for name in sorted(f for f in os.listdir(a.data) if f.endswith(".pcapng")):
        raw = open(os.path.join(a.data, name), "rb").read()
        put(a.out, "fuzz_pcapng_reader", raw)
        put(a.out, "fuzz_pipeline", raw)
    for name in ("app/smtp-auth.pcap", "app/ftp-ext.pcap"):
        stream_seeds(a.out, cg.Pcap(open(os.path.join(a.data, name), "rb").read()), name)
    defrag_seeds(a.out)
    regressions(a.out)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(a.out) for f in fs)
    print(f"corpus: {total} bytes under {a.out}")


if __name__ == "__main__":
    main()
