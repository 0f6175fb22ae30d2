#!/usr/bin/env python3
"""Turn the IANA service-name and port-number registry (CSV) into a compact C++ table.

usage: gen_iana_table.py service-names-port-numbers.csv OUT.inc

Each row of the output is {proto, first_port, last_port, "name", "description"} (proto 0 tcp, 1 udp,
2 sctp, 3 dccp) for rows that have a service name, a transport protocol and a single port or a port range
(a range is kept as a first/last pair, not expanded). Rows without a name (Reserved / Unassigned) or
without a protocol are dropped. Output is sorted by (proto, first_port, last_port) so lookups can
binary-search; the sort is stable, so several names for one port/protocol keep the registry's order and
the first one is IANA's primary name (the one Wireshark's services file, and so tshark, shows).

Descriptions are flattened to one line, and IANA's note "IANA assigned this well-formed service name as a
replacement for ..." is dropped from them, as Wireshark's tools/make-services.py does.
"""
import csv
import re
import sys

PROTOS = {"tcp": 0, "udp": 1, "sctp": 2, "dccp": 3}
WELL_FORMED_NOTE = re.compile(r"IANA assigned this well-formed service .*$")


def c_string(s):
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n" or ch == "\r":
            out.append(" ")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("".join("\\%03o" % b for b in ch.encode("utf-8")))  # octal: never merges with next char
    return '"' + "".join(out) + '"'


def main():
    src, dst = sys.argv[1], sys.argv[2]
    rows = []
    with open(src, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = (r.get("Service Name") or "").strip()
            port = (r.get("Port Number") or "").strip()
            proto = (r.get("Transport Protocol") or "").strip().lower()
            desc = " ".join((r.get("Description") or "").split())
            desc = WELL_FORMED_NOTE.sub("", desc).strip()
            if not name or not port or proto not in PROTOS:
                continue
            if "-" in port:
                lo, hi = port.split("-", 1)
            else:
                lo = hi = port
            try:
                lo, hi = int(lo), int(hi)
            except ValueError:
                continue
            if not (0 <= lo <= hi <= 65535):
                continue
            rows.append((PROTOS[proto], lo, hi, name, desc))
    rows.sort(key=lambda x: (x[0], x[1], x[2]))
    with open(dst, "w", encoding="utf-8") as o:
        o.write("// Generated from the IANA service-name and port-number registry. Do not edit.\n")
        o.write("// {proto, first_port, last_port, service, description}\n")
        for proto, lo, hi, name, desc in rows:
            o.write("{%d, %d, %d, %s, %s},\n" % (proto, lo, hi, c_string(name), c_string(desc)))


if __name__ == "__main__":
    main()
