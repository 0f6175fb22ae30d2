#!/usr/bin/env python3
"""Frames captured before TCP segmentation offload (IPv4 total length 0): the length is the frame's, as
in tshark, so nothing is malformed and the 76,692-byte mail they carry is analyzed.

tests/data/smtp-tso.pcapng (public, tests/data/README.md): 19 such frames of 4,150 bytes."""
import json
import os
import shutil
import subprocess

from e2e_util import Tally, parse_args, run

TSO_TEXT = ('[Total Length: {} bytes (reported as 0, presumed to be because of "TCP segmentation offload" '
            '(TSO))]')


def main():
    a = parse_args()
    t = Tally()
    cap = os.path.join(a.data, "smtp-tso.pcapng")

    rc, out, err = run(a.bin, "read", cap, "-n")
    t.check(rc == 0 and "Malformed" not in out, f"read: exit {rc}, malformed frames: {out.count('Malformed')}")

    # ip.len is taken from the frame; which frames had 0 comes from the raw header bytes.
    rc, out, _ = run(a.bin, "read", cap, "-T", "fields", "-e", "frame.number", "-e", "frame.len", "-e",
                     "ip.len", "-e", "tcp.len")
    rows = [l.split("\t") for l in out.split("\n") if l]
    tso = [r for r in rows if r[2] and int(r[2]) == int(r[1]) - 14 and int(r[1]) > 1514]
    t.check(len(tso) == 19, f"fields: {len(tso)} frames with the frame's length, want 19")
    t.check(all(int(r[3]) == int(r[2]) - 40 for r in tso), "fields: tcp.len of the TSO frames is not ip.len - 40")

    # The tree line, against tshark's stored -V output (its first 20 frames include TSO frames).
    want = [l.strip() for l in open(os.path.join(a.data, "smtp-tso.verbose.txt")) if "reported as 0" in l]
    rc, out, _ = run(a.bin, "read", cap, "-V", "-c", "20")
    got = [l.strip() for l in out.split("\n") if "reported as 0" in l]
    t.check(want and got == want, f"tree: {got[:1]} vs tshark {want[:1]} ({len(got)}/{len(want)})")
    t.check(TSO_TEXT.format(4136) in got, "tree: text differs from tshark 4.0's")

    rc, out, _ = run(a.bin, "log", "smtp", cap, "--format", "ndjson")
    rows = [json.loads(l) for l in out.split("\n") if l]
    t.check(len(rows) == 1, f"log smtp: {len(rows)} rows")
    if rows:
        r = rows[0]
        t.check(r.get("msg_size") == 76692, f"log smtp: msg_size {r.get('msg_size')}, want 76692 (SIZE=76692)")
        t.check(r.get("from") == "Chris Sanders <sanders@skynet.local>", f"log smtp: from {r.get('from')}")
        t.check(r.get("subject") == "New Coworker", f"log smtp: subject {r.get('subject')}")
        t.check(r.get("mailfrom", "").startswith("<sanders@skynet.local>"), f"log smtp: mailfrom {r.get('mailfrom')}")
        t.check(r.get("last_reply") == "221 2.0.0 Bye", f"log smtp: last_reply {r.get('last_reply')}")

    rc, out, _ = run(a.bin, "conns", "--conv", cap)
    want = open(os.path.join(a.data, "smtp-tso.conv.txt")).read()
    t.check(out == want, "conns --conv differs from tshark's stored -z conv,tcp -z conv,udp")
    rc, js, _ = run(a.bin, "conns", cap, "-F", "json")
    c = json.loads(js)[0] if rc == 0 else {}
    t.check(c.get("orig_bytes") == 76802 and c.get("missed_bytes") == 0,
            f"conns: orig_bytes {c.get('orig_bytes')} missed {c.get('missed_bytes')}")
    # ip_bytes count the TSO frames at their frame length (Zeek copes with ip_len 0 the same way).
    t.check(c.get("orig_ip_bytes") == 77934,  # 76,802 payload + 28 x 40 header bytes + 12 SYN option bytes
            f"conns: orig_ip_bytes {c.get('orig_ip_bytes')}")
    if shutil.which("tshark"):
        live = subprocess.run(["tshark", "-n", "-r", cap, "-q", "-z", "conv,tcp", "-z", "conv,udp"],
                              capture_output=True, text=True).stdout
        t.check(out == live, "conns --conv differs from live tshark")
    t.finish()


if __name__ == "__main__":
    main()
