#!/usr/bin/env python3
"""MAC address names (IEEE vendors, well-known multicast addresses) against live tshark 4.0.

A capture made here carries, as destination and source, addresses of every kind of name: well-known
addresses and ranges (broadcast, IPv4/IPv6 multicast, spanning tree, LLDP, CDP, OAM), IEEE MA-L, MA-M,
MA-S and IAB assignments, 00:00:00, unassigned and locally administered addresses, in ARP requests
(so in the ARP sender and target addresses too). Compared with tshark without -n (names on), with -N m and with -n (names off):
eth.{src,dst,addr}_resolved, eth.*.oui, eth.*.oui_resolved, the Source/Destination columns, the
Ethernet and ARP tree lines. Skips (77) without tshark."""
import os
import struct
import subprocess
import sys
import tempfile

from e2e_util import Tally, parse_args, skip_without_tshark

# Addresses whose vendor entries read the same in the IEEE listing (ieee-data) and in tshark's manuf
# file, and well-known ones; docs/decisions.md names the kinds of entry that differ.
ADDRESSES = [
    "ff:ff:ff:ff:ff:ff", "33:33:00:00:00:16", "33:33:ff:a8:01:c8", "33:33:00:00:00:00", "33:33:00:01:00:02",
    "01:00:5e:7f:ff:fa", "01:00:5e:00:00:01", "01:00:5e:80:00:01", "01:80:c2:00:00:00", "01:80:c2:00:00:0e",
    "01:80:c2:00:00:03", "01:80:c2:00:00:31", "01:80:c2:00:00:2f", "01:00:0c:cc:cc:cc", "01:00:0c:cc:cc:cd",
    "00:00:0c:07:ac:01", "00:00:5e:00:01:0a", "cf:00:00:00:00:00", "03:00:00:00:00:01",
    "00:16:ce:6e:8b:24", "00:13:46:0b:22:ba", "00:0c:29:1f:a7:55", "78:31:c1:cb:b2:56", "00:21:70:c0:56:f0",
    "00:24:81:a1:f6:79", "28:c6:8e:ab:96:16", "00:00:0c:12:34:56", "00:03:47:b7:f2:f5", "00:16:ce:00:00:00",
    "74:1a:e0:9a:bc:de", "74:1a:e0:90:00:01", "70:b3:d5:f2:ff:01", "70:b3:d5:f2:f0:00", "00:50:c2:33:1f:ff",
    "00:00:00:00:00:00", "00:00:00:01:02:03", "aa:00:04:00:0a:04", "02:00:c0:a8:01:15", "33:34:00:00:00:01",
    "f2:00:00:00:00:01",
]
FIELDS = ["eth.dst", "eth.dst_resolved", "eth.dst.oui", "eth.dst.oui_resolved", "eth.src_resolved",
          "eth.src.oui_resolved", "eth.addr_resolved", "eth.addr.oui_resolved", "_ws.col.Source",
          "_ws.col.Destination"]


def capture(path):
    """One ARP request per address: to it, from another one, with both in the ARP addresses too."""
    frames = []
    unicast = [x for x in ADDRESSES if int(x[:2], 16) & 1 == 0]  # a group source is an expert item
    for i, dst in enumerate(ADDRESSES):
        d = bytes(int(x, 16) for x in dst.split(":"))
        s = bytes(int(x, 16) for x in unicast[(i + 7) % len(unicast)].split(":"))
        arp = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + s + bytes([192, 168, 0, 114]) + d + bytes([192, 168, 0, 1])
        frames.append(d + s + b"\x08\x06" + arp + bytes(18))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)) + fr)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout


def link_lines(tree):
    """The Ethernet and ARP blocks of a -V text, per frame."""
    out, keep = [], False
    for line in tree.split("\n"):
        if not line.startswith(" "):
            keep = line.startswith(("Ethernet II", "Address Resolution Protocol"))
        if keep and line:
            out.append(line)
    return out


def main():
    a = parse_args()
    skip_without_tshark()
    t = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "mac-names.pcap")
        capture(cap)
        for names in ([], ["-N", "m"], ["-n"]):
            label = " ".join(names) or "default"
            ef = sum((["-e", f] for f in FIELDS), [])
            rc1, want = run(["tshark", *names, "-r", cap, "-T", "fields", "-E", "occurrence=a", *ef])
            rc2, got = run([a.bin, "read", cap, *names, "-T", "fields", "-E", "occurrence=a", *ef])
            t.check(rc1 == 0 and rc2 == 0, f"{label}: exit tshark {rc1}, portscope {rc2}")
            wl, gl = want.splitlines(), got.splitlines()
            t.check(len(wl) == len(gl) == len(ADDRESSES), f"{label}: {len(gl)} rows, tshark {len(wl)}")
            for i, (w, g) in enumerate(zip(wl, gl)):
                for f, wv, gv in zip(FIELDS, w.split("\t"), g.split("\t")):
                    t.check(wv == gv, f"{label} frame {i + 1} {f}: {gv!r}, tshark {wv!r}")
            _, want = run(["tshark", *names, "-r", cap, "-V"])
            _, got = run([a.bin, "read", cap, *names, "-V"])
            wl, gl = link_lines(want), link_lines(got)
            missing = [x for x in wl if x not in set(gl)]
            t.check(not missing and len(wl) == len(gl),
                    f"{label}: {len(missing)} of tshark's {len(wl)} Ethernet/ARP lines missing ({len(gl)} printed), "
                    f"first {missing[:3]}")
    t.finish()


if __name__ == "__main__":
    main()
