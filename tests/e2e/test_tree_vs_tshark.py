#!/usr/bin/env python3
"""Whole -V trees against live tshark 4.0 (tools/tree-diff.py: every tshark tree line, per frame and
top-level protocol block, must be printed by portscope). Each capture has a floor at the agreement
measured when the test was written, so a change that loses lines fails; where tshark's whole tree is
reached the floor is 100%. Skips (77) without tshark."""
import os
import re
import subprocess
import sys

from e2e_util import Tally, captures_for, parse_args, skip_without_tshark

# capture (under --data) -> lowest accepted agreement in percent (measured figure, rounded down).
FLOORS = {
    "http-basic.pcap": 100.0,
    "http-ipv6.pcap": 100.0,
    "http-pcapng.pcapng": 100.0,
    "tcp-reset-and-refused.pcap": 100.0,
    "smtp.pcap": 97.0,
    "ftp-active.pcap": 97.9,
    "ftp-passive.pcap": 97.4,
    "pop3.pcap": 98.4,
    "telnet.pcap": 98.4,
    "dns.pcap": 99.9,
    "app/smtp-auth.pcap": 99.9,
    "app/ftp-ext.pcap": 98.8,
    "app/ssdp.pcap": 100.0,
}
TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "tree-diff.py")


def main():
    a = parse_args()
    skip_without_tshark()
    t = Tally()
    names = captures_for(a.bin, list(FLOORS)) or ["http-basic.pcap"]
    paths = [os.path.join(a.data, n) for n in names]
    r = subprocess.run([sys.executable, TOOL, "--bin", a.bin, "--show", "2", "--per-capture", *paths],
                       capture_output=True, text=True, timeout=300)
    got = {}
    for line in r.stdout.split("\n"):
        m = re.match(r"^(\S+) ([\d.]+)% (\d+)/(\d+)$", line)
        if m:
            got[os.path.relpath(m.group(1), a.data)] = (float(m.group(2)), m.group(3), m.group(4))
    t.check(r.returncode == 0, f"tree-diff exit {r.returncode}: {r.stderr.strip()[:200]}")
    for n in names:
        if n not in got:
            t.check(False, f"{n}: no figure from tree-diff")
            continue
        pct, agree, total = got[n]
        t.check(pct >= FLOORS[n], f"{n}: {pct}% ({agree}/{total} tshark tree lines), floor {FLOORS[n]}%")
    if t.failed:
        print(r.stdout[-3000:])
    t.finish()


if __name__ == "__main__":
    main()
