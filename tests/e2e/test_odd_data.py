#!/usr/bin/env python3
"""Odd but valid data: unaligned records, both byte orders, micro/nano/other timestamp units, times
before 1970 (pcapng if_tsoffset) and after 2038, zero-length frames, frames over 256 KiB, pipes instead of files.
Each variant must print exactly what the plain little-endian microsecond pcap of the same frames prints.

usage: test_odd_data.py --bin PATH_TO_portscope --data tests/data
Prints one line per failure and a final 'N passed, M failed'; exits non-zero on failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
import hostile_common as hc  # noqa: E402

FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "eth.src", "ip.src", "ip.dst",
          "tcp.srcport", "tcp.stream", "tcp.seq", "tcp.len", "udp.stream", "_ws.col.Protocol", "_ws.col.Info"]
BIN = None


def read(path, *extra, stdin=None):
    args = [BIN, "read", path, *extra]
    rc, out, err, _ = hc.run(args, 120, stdin=stdin)
    return rc, out.decode("utf-8", "replace"), err


def fields(path, stdin=None):
    return read(path, "-T", "fields", *sum((["-e", f] for f in FIELDS), []), stdin=stdin)


def ok_run(name, res):
    rc, out, err = res
    why = hc.crash_reason(rc, err)
    return hc.check(f"{name}: runs cleanly", why is None and rc == 0 and err == "", f"rc={rc} {why or ''} {err[:300]!r}")


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    BIN = os.path.abspath(a.bin)
    src = cg.Pcap(open(os.path.join(a.data, "http-basic.pcap"), "rb").read())
    # (sec, usec, data): the frames of http-basic, with odd lengths so records are not 4-byte aligned.
    frames = [(r[0], r[1], r[4]) for r in src.records]
    frames = [(s, us, d + b"\0" * ((len(d) + 1) % 2)) for s, us, d in frames]  # every length odd
    assert all(len(d) % 2 for _, _, d in frames)

    with tempfile.TemporaryDirectory(prefix="portscope-odd-") as tmp:
        def make(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            return path

        ref_path = make("ref.pcap", cg.write_pcap(frames, 1))
        ref = fields(ref_path)
        ref_v = read(ref_path, "-V")
        if not (ok_run("reference", ref) and ok_run("reference -V", ref_v)):
            return hc.summary()
        hc.check("reference: every frame", len(ref[1].splitlines()) == len(frames))

        # The same frames in every container and byte order must print the same.
        us = [(s * 1_000_000 + u, d) for s, u, d in frames]
        variants = {
            "pcap big-endian": cg.write_pcap(frames, 1, endian=">"),
            "pcap nanosecond LE": cg.write_pcap([(s, u * 1000, d) for s, u, d in frames], 1, nano=True),
            "pcap nanosecond BE": cg.write_pcap([(s, u * 1000, d) for s, u, d in frames], 1, endian=">", nano=True),
            "pcapng LE": cg.shb() + cg.idb(1) + b"".join(cg.epb(d, t) for t, d in us),
            "pcapng BE": cg.shb(">") + cg.idb(1, endian=">") + b"".join(cg.epb(d, t, endian=">") for t, d in us),
            "pcapng ns": cg.shb() + cg.idb(1, tsresol=9) + b"".join(cg.epb(d, t * 1000) for t, d in us),
            "pcapng obsolete packet blocks": cg.shb() + cg.idb(1) + b"".join(cg.opb(d, t) for t, d in us),
            "pcapng with unknown blocks": cg.shb() + cg.custom_block() + cg.idb(1) +
                                          b"".join(cg.custom_block(b"y" * 12) + cg.epb(d, t) for t, d in us),
        }
        for name, data in variants.items():
            path = make(name.replace(" ", "_"), data)
            got = fields(path)
            if ok_run(name, got):
                hc.check(f"{name}: same fields as the reference", got[1] == ref[1], _diff(ref[1], got[1]))
            got_v = read(path, "-V")
            if ok_run(name + " -V", got_v):
                # Encapsulation/format lines may name the container; compare everything else.
                hc.check(f"{name}: same tree as the reference", _strip(got_v[1]) == _strip(ref_v[1]),
                         _diff(_strip(ref_v[1]), _strip(got_v[1])))
            with open(path, "rb") as f:
                piped = fields("-", stdin=f)
            if ok_run(name + " from a pipe", piped):
                hc.check(f"{name}: same from standard input", piped[1] == ref[1], _diff(ref[1], piped[1]))

        # Timestamps before 1970 and after 2038.
        d0 = frames[0][2]
        times = [
            # pcap seconds are unsigned 32-bit (spec, libpcap, Wireshark): after 2038, up to 2106.
            ("pcap 2106", cg.write_pcap([(0xFFFFFFFF, 500000, d0)], 1), "4294967295.5", "2106"),
            ("pcap 2038", cg.write_pcap([(0x80000000, 0, d0)], 1), "2147483648", "2038"),
            ("pcapng 1969", cg.shb() + cg.idb(1, tsoffset=-1) + cg.epb(d0, 500000), "-0.5", "1969"),
            ("pcapng 2040", cg.shb() + cg.idb(1) + cg.epb(d0, 2208988800 * 1_000_000), "2208988800", "2040"),
            ("pcapng 2100", cg.shb() + cg.idb(1) + cg.epb(d0, 4102444800 * 1_000_000), "4102444800", "2100"),
            # Past what int64 nanoseconds hold: clamped to 4611686017 s (2116), never undefined behaviour.
            ("pcapng 2^64-1 us", cg.shb() + cg.idb(1) + cg.epb(d0, (1 << 64) - 1) + cg.epb(d0, 0), None, "2116"),
            ("pcapng 2^64-1 ns", cg.shb() + cg.idb(1, tsresol=9) + cg.epb(d0, (1 << 64) - 1), None, "2116"),
            ("pcapng 2^64-1 s", cg.shb() + cg.idb(1, tsresol=0x80) + cg.epb(d0, (1 << 64) - 1), None, "2116"),
            ("pcapng tsoffset max", cg.shb() + cg.idb(1, tsoffset=(1 << 63) - 1) + cg.epb(d0, 5), None, "2116"),
            ("pcapng tsoffset min", cg.shb() + cg.idb(1, tsoffset=-(1 << 63)) + cg.epb(d0, 5), None, "1823"),
            ("pcapng tsoffset 1960", cg.shb() + cg.idb(1, tsoffset=-315619200 - 1000) + cg.epb(d0, 1000 * 1_000_000),
             "-315619200", "1960"),
        ]
        for name, data, epoch, year in times:
            path = make(name.replace(" ", "_"), data)
            rc, out, err = read(path, "-T", "fields", "-e", "frame.time_epoch")
            if ok_run(name, (rc, out, err)) and epoch is not None:
                try:
                    val = float(out.strip())
                except ValueError:
                    val = None
                hc.check(f"{name}: epoch {epoch}", val is not None and abs(val - float(epoch)) < 1e-6, repr(out))
            rc, out, err = read(path, "-V")
            if ok_run(name + " -V", (rc, out, err)):
                hc.check(f"{name}: arrival time in {year}", re.search(rf"Arrival Time: .*\b{year}\b", out) is not None,
                         next((l for l in out.splitlines() if "Arrival Time" in l), "no Arrival Time line"))

        # Zero-length frames between normal ones; the normal ones decode as usual.
        zl = [frames[0], (frames[0][0], 1, b"", 0), (frames[0][0], 2, b"", 60), frames[1]]
        path = make("zero.pcap", cg.write_pcap(zl, 1))
        for extra in ([], ["-V"], ["-T", "json"]):
            ok_run(f"zero-length frames {extra}", read(path, *extra))
        rc, out, err = read(path, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len", "-e", "ip.src")
        lines = out.splitlines()
        hc.check("zero-length frames: lengths", lines[1:3] == ["0\t0\t", "60\t0\t"], repr(lines))
        rl = read(ref_path, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len", "-e", "ip.src")[1].splitlines()
        hc.check("zero-length frames: neighbours decode", len(lines) == 4 and [lines[0], lines[3]] == rl[:2],
                 repr(lines))
        ng = cg.shb() + cg.idb(1) + cg.epb(b"", 0) + cg.spb(b"") + cg.epb(frames[1][2], 0)
        ok_run("pcapng zero-length blocks", read(make("zero.pcapng", ng), "-V"))

        # Frames over 256 KiB (loopback/jumbo-style captures, snaplen 262144 and beyond).
        big = frames[3][2] + bytes(range(256)) * 1200  # ~300 KiB: a TCP segment plus trailer bytes
        assert len(big) > 256 * 1024
        for name, data in (("pcap 300 KiB frame", cg.write_pcap([frames[0][:3], (0, 0, big), frames[1][:3]], 1)),
                           ("pcapng 300 KiB frame", cg.shb() + cg.idb(1) + cg.epb(big) + cg.epb(frames[1][2]))):
            path = make(name.replace(" ", "_"), data)
            rc, out, err = read(path, "-T", "fields", "-e", "frame.cap_len")
            if ok_run(name, (rc, out, err)):
                hc.check(f"{name}: cap_len", str(len(big)) in out.split(), repr(out[:200]))
            ok_run(name + " -V", read(path, "-V"))
            with open(path, "rb") as f:
                rc, out2, err = fields("-", stdin=f)
            ok_run(name + " from a pipe", (rc, out2, err))
        # Headers nested without limit: VLAN tags and IP-in-IP (regressions: stack overflow, layer overrun).
        ip = cg.ipv4(b"\x0a\0\0\1", b"\x0a\0\0\2", 6, cg.tcp(b"\x0a\0\0\1", b"\x0a\0\0\2", 1, 80, 1, 0, cg.SYN))
        nested = {
            "15 VLAN tags": b"\x02" * 12 + b"\x81\x00\x00\x01" * 15 + b"\x08\x00" + ip,
            "400000 VLAN tags": b"\x02" * 12 + b"\x81\x00\x00\x01" * 400000 + b"\x08\x00" + ip,
            "IPv4-in-IPv4 x 3000": cg.ether(_ip_in_ip(ip, 3000)),
        }
        for name, frame in nested.items():
            path = make(name.replace(" ", "_"), cg.write_pcap([(0, 0, frame), frames[0]], 1))
            for extra in (["-V"], ["-T", "fields", "-e", "tcp.stream", "-e", "ip.src", "-e", "frame.protocols"]):
                ok_run(f"{name} {extra[0]}", read(path, *extra))
            if "conns" in subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout:
                rc, _, err, _ = hc.run([BIN, "conns", path], 60)
                hc.check(f"{name} conns: no crash", hc.crash_reason(rc, err) is None and rc == 0, f"rc={rc} {err[:300]}")
    return hc.summary()


def _ip_in_ip(inner, depth):
    for _ in range(depth):
        if len(inner) + 20 > 65535:
            break
        inner = cg.ipv4(b"\x0a\0\0\3", b"\x0a\0\0\4", 4, inner)
    return inner


def _strip(tree):
    # pcapng frames also name their section and interface (as tshark): not in the pcap reference.
    lines = (re.sub(r" on interface .*, id \d+$", "", l) for l in tree.splitlines())
    return "\n".join(l for l in lines if "Encapsulation" not in l and "Interface" not in l and "Section number" not in l)


def _diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"line {i + 1}: expected {x[:160]!r}, got {y[:160]!r}"
    return f"expected {len(al)} lines, got {len(bl)}" if len(al) != len(bl) else ""


if __name__ == "__main__":
    sys.exit(main())
