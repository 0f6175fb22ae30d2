#!/usr/bin/env python3
"""ICMP errors quote the packet they answer: the quoted IP header and the ICMP/UDP/TCP header inside are
dissected with tshark's fields (all occurrences: the error's own first, the quoted ones after), and the
quoted packet is not traffic of its connection (udp.stream / tcp.stream only for the error's own header).
tests/data/practical-packet-analysis/icmp_traceroute.pcapng (chrissanders/packets: a traceroute of ICMP
echo requests answered by Time-to-live exceeded). Against live tshark; skips (77) without it."""
import os
import shutil
import subprocess
import sys

from e2e_util import Tally, parse_args, run

FIELDS = ["frame.number", "icmp.type", "icmp.code", "icmp.checksum.status", "ip.src", "ip.dst", "ip.proto", "ip.len",
          "ip.ttl", "icmp.ident", "icmp.seq", "icmp.seq_le", "udp.stream", "tcp.stream"]


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("skip: tshark not installed")
        sys.exit(77)
    t = Tally()
    cap = os.path.join(a.data, "practical-packet-analysis", "icmp_traceroute.pcapng")
    ef = [x for f in FIELDS for x in ("-e", f)]
    ref = subprocess.run(["tshark", "-n", "-r", cap, "-T", "fields", "-E", "occurrence=a", *ef],
                         capture_output=True, text=True, timeout=60).stdout.split("\n")
    rc, out, _ = run(a.bin, "read", cap, "-n", "-T", "fields", "-E", "occurrence=a", *ef)
    got = out.split("\n")
    t.check(rc == 0 and len(got) == len(ref), f"{len(got)} rows, tshark {len(ref)}")
    bad = [f"tshark {w!r} portscope {g!r}" for w, g in zip(ref, got) if w != g]
    t.check(not bad, f"{len(bad)} rows differ: {bad[:2]}")
    t.check(sum(1 for w in ref if w.split("\t")[1:2] == ["11,8"]) >= 10, "the capture has quoted echo requests")
    t.finish()


if __name__ == "__main__":
    main()
