#!/usr/bin/env python3
"""`portscope read` output modes: summary, -V, -T fields with -E options, json/ndjson, -c, stdin."""
import json
import os

from e2e_util import Tally, parse_args, read_tsv, run


def main():
    a = parse_args()
    t = Tally()
    cap = os.path.join(a.data, "http-basic.pcap")

    rc, out, _ = run(a.bin, "read", cap, "-n")
    lines = out.splitlines()
    t.check(rc == 0 and len(lines) == 16, f"summary: one line per frame ({len(lines)})")
    t.check("60558 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=3201774349 TSecr=0 WS=1024" in lines[4],
            f"summary TCP info: {lines[4]!r}")
    _, rows = read_tsv(os.path.join(a.data, "http-basic.fields.tsv"))
    # Info of pure TCP frames equals tshark's column.
    header, _ = read_tsv(os.path.join(a.data, "http-basic.fields.tsv"))
    info = header.index("_ws.col.Info")
    for n in (5, 6, 7, 9, 11, 13, 14, 15, 16):
        t.check(lines[n - 1].endswith(rows[n - 1][info]), f"frame {n} info {lines[n-1]!r} vs {rows[n-1][info]!r}")

    rc, out, _ = run(a.bin, "read", cap)
    t.check("60558 → 80 (http) [SYN]" in out, "names shown without -n")

    rc, out, _ = run(a.bin, "read", cap, "-c", "3")
    t.check(len(out.splitlines()) == 3, "-c 3 prints three frames")

    rc, out, _ = run(a.bin, "read", cap, "-V", "-c", "1")
    t.check(out.startswith("Frame 1: 86 bytes on wire (688 bits), 86 bytes captured (688 bits)\n"), "tree header")

    rc, out, _ = run(a.bin, "read", cap, "-T", "fields", "-e", "frame.number", "-e", "ip.src", "-E", "header=y",
                     "-E", "separator=,", "-c", "6")
    t.check(out.splitlines()[0] == "frame.number,ip.src" and out.splitlines()[6] == "6,192.168.1.200",
            f"header and separator: {out!r}")

    rc, out, _ = run(a.bin, "read", cap, "-T", "fields", "-e", "tcp.port", "-E", "occurrence=a", "-c", "5")
    t.check(out.splitlines()[4] == "60558,80", f"occurrence=a joins with ',': {out.splitlines()[4]!r}")
    rc, out, _ = run(a.bin, "read", cap, "-T", "fields", "-e", "tcp.port", "-E", "occurrence=l", "-c", "5")
    t.check(out.splitlines()[4] == "80", "occurrence=l")

    rc, out, _ = run(a.bin, "read", cap, "-T", "json")
    try:
        doc = json.loads(out)
        ok = len(doc) == 16 and doc[4]["_source"]["layers"]["tcp"]["tcp.srcport"] == "60558"
        ok = ok and doc[4]["_source"]["layers"]["ip"]["ip.src"] == "192.168.1.21"
    except (ValueError, KeyError, IndexError) as e:
        ok = False
        print(e)
    t.check(ok, "json: 16 frames with layers and registry names")

    rc, out, _ = run(a.bin, "read", cap, "-T", "ndjson")
    objs = [json.loads(l) for l in out.splitlines()]
    t.check(len(objs) == 16 and "eth" in objs[0]["_source"]["layers"], "ndjson: one object per line")

    with open(cap, "rb") as f:
        data = f.read()
    rc, out, _ = run(a.bin, "read", "-r", "-", "-n", stdin=data)
    t.check(rc == 0 and len(out.splitlines()) == 16, "reads standard input with -r -")

    rc, out, err = run(a.bin, "read", cap, "-T", "fields", "-e", "tcp.nosuchfield")
    t.check(rc == 2 and "tcp.nosuchfield" in err and err.count("\n") == 1, f"unknown field named: {err!r}")
    rc, out, err = run(a.bin, "read", cap, "-T", "fields", "-e", "ip.src", "-E", "bogus=1")
    t.check(rc == 2 and err.count("\n") == 1, f"bad -E: {err!r}")
    t.finish()


if __name__ == "__main__":
    main()
