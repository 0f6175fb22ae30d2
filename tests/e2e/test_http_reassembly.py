#!/usr/bin/env python3
"""HTTP bodies reassembled as tshark does by default, on a public capture nobody here made, against live
tshark: tests/data/practical-packet-analysis/http_espn.pcapng (chrissanders/packets, 956 frames, 61
requests, Content-Length and chunked bodies over many segments, the client's segments with wrong TCP
checksums, a lost segment). Compared: every summary line, the HTTP and reassembly fields cell by cell,
every frame's HTTP / "[N Reassembled TCP Segments]" / line-based text subtrees, and `log http`.
Skips (77) without tshark."""
import collections
import os
import re
import shutil
import subprocess
import sys

from e2e_util import Tally, parse_args, run

CAP = os.path.join("practical-packet-analysis", "http_espn.pcapng")
PREFS = ["-o", "tcp.check_checksum:TRUE"]
FIELDS = ["frame.number", "frame.protocols", "_ws.col.Protocol", "http.request.method", "http.request.uri",
          "http.response.code", "http.response.code.desc", "http.content_length", "http.content_type",
          "http.request_in", "http.request_number", "http.response_number", "http.prev_request_in",
          "http.prev_response_in", "http.response_for.uri", "tcp.segment", "tcp.segment.count",
          "tcp.reassembled.length", "http.cookie_pair", "http.request.uri.query.parameter"]
# Subtrees that differ, and why (docs/decisions.md):
# - gzip bodies: tshark inflates them ("Content-encoded entity body (gzip): ..."); portscope does not.
# - a request whose headers span two client segments with wrong checksums: tshark dissects each alone
#   (the second as a header continuation); portscope reads the second as File Data.
# 194: a gzip body larger than what is kept of a body in progress (--max-message), so not decoded.
KNOWN = {194: "gzip body over the kept size",
         855: "split bad-checksum request",
         862: "split bad-checksum request", 864: "split bad-checksum request"}
BLOCKS = (re.compile(r"^Hypertext"), re.compile(r"^\[\d+ Reassembled TCP"), re.compile(r"^Line-based"))


def norm_summary(line):
    line = re.sub(r"^\s*(\d+)\s+[0-9.]+\s+", r"\1 ", line)  # the time column's precision (-t formats)
    return re.sub(r"\s+", " ", line).strip()


def blocks(text):
    out, cur, keep = {}, None, False
    for line in text.split("\n"):
        if re.match(r"^[0-9a-f]{4}  ", line):
            continue
        m = re.match(r"^Frame (\d+): ", line)
        if m:
            cur, keep = out.setdefault(int(m.group(1)), []), False
            continue
        if line and not line.startswith(" "):
            keep = any(b.match(line) for b in BLOCKS)
        if cur is not None and keep and line.strip():
            cur.append(line)
    return out


def tshark(*args):
    r = subprocess.run(["tshark", "-n", "-r", *args], capture_output=True, timeout=120)
    return r.stdout.decode("utf-8", "replace")


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("skip: tshark not installed")
        sys.exit(77)
    t = Tally()
    cap = os.path.join(a.data, CAP)

    want = [norm_summary(l) for l in tshark(cap, *PREFS).split("\n") if l.strip()]
    rc, out, _ = run(a.bin, "read", cap, "-n")
    got = [norm_summary(l) for l in out.split("\n") if l.strip()]
    bad = [(w, g) for w, g in zip(want, got) if w != g]
    t.check(rc == 0 and len(got) == len(want) == 956, f"summary: {len(got)} lines, tshark {len(want)}")
    t.check(not bad, f"summary: {len(bad)} of {len(want)} lines differ; first {bad[:1]}")
    t.check(sum("[TCP segment of a reassembled PDU]" in g for g in got) > 300,
            "summary: segments inside PDUs are marked as tshark's")

    ef = [x for f in FIELDS for x in ("-e", f)]
    want = tshark(cap, *PREFS, "-T", "fields", "-E", "occurrence=a", *ef).split("\n")
    rc, out, _ = run(a.bin, "read", cap, "-n", "-T", "fields", "-E", "occurrence=a", *ef)
    got = out.split("\n")
    cells = diff = 0
    shown = []
    for w, g in zip(want, got):
        if w.split("\t")[0].isdigit() and KNOWN.get(int(w.split("\t")[0])) == "split bad-checksum request":
            continue  # the second segment's header lines: see KNOWN
        for f, x, y in zip(FIELDS, w.split("\t"), g.split("\t")):
            if x or y:
                cells += 1
                if x != y:
                    diff += 1
                    if len(shown) < 3:
                        shown.append(f"{w.split(chr(9))[0]} {f}: tshark={x[:60]!r} portscope={y[:60]!r}")
    t.check(len(want) == len(got) and cells > 2000 and diff == 0, f"fields: {diff} of {cells} cells differ {shown}")

    ref = blocks(tshark(cap, *PREFS, "-V"))
    rc, out, _ = run(a.bin, "read", cap, "-n", "-V")
    mine = blocks(out)
    lines = sum(len(v) for v in ref.values())
    differ = []
    for n, w in sorted(ref.items()):
        if n in KNOWN or w == mine.get(n, []):
            continue
        miss = list((collections.Counter(w) - collections.Counter(mine.get(n, []))).keys())
        extra = list((collections.Counter(mine.get(n, [])) - collections.Counter(w)).keys())
        differ.append(f"#{n}: missing {miss[:1]} extra {extra[:1]}")
    t.check(lines > 5000 and not differ, f"-V: {len(differ)} frames' HTTP subtrees differ: {differ[:3]}")
    stale = [n for n in KNOWN if ref.get(n) == mine.get(n)]
    t.check(not stale, f"-V: frames {stale} listed as known differences now agree: update KNOWN")

    rc, out, _ = run(a.bin, "log", "http", cap, "--format", "zeek")
    rows = [l.split("\t") for l in out.split("\n") if l and not l.startswith("#")]
    fields_line = next(l for l in out.split("\n") if l.startswith("#fields"))
    col = fields_line.split("\t")[1:].index("status_code")
    codes = [r[col] for r in rows]
    t.check(len(rows) == 61 and "-" not in codes, f"log http: {len(rows)} rows, {codes.count('-')} without status")
    t.finish()


if __name__ == "__main__":
    main()
