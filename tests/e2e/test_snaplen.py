#!/usr/bin/env python3
"""Frames cut by a small snapshot length (tcpdump -s 96): what the capture kept is dissected, the rest is
marked as tshark marks it, and the cut segments do not hold up the stream.

tests/data/http-snaplen96.pcap (tools/make_snaplen_capture.sh; tshark 4.0.17 references beside it):
curl -> python3 http.server, three connections (200, a 15 KB text file, 404), every frame cut to 96
bytes. Compared with tshark: every summary line, every frame's HTTP subtree and size-limit line, and the
status of every request in `log http`."""
import json
import os
import re

from e2e_util import Tally, parse_args, run

CAP = "http-snaplen96.pcap"
# Body bytes of a response whose headers the capture cut: tshark 4.0 reads the next segment's first
# line as a header continuation ("Illegal characters found in header name"); portscope shows the
# segment as File Data, as tshark does for every other body segment. Info and Protocol agree.
KNOWN_TREE = {27, 40, 41}


def norm_summary(line):
    # The time column: tshark prints the capture's precision, portscope nanoseconds (issue: -t formats).
    line = re.sub(r"^\s*(\d+)\s+[0-9.]+\s+", r"\1 ", line)
    return re.sub(r"\s+", " ", line).strip()


def http_blocks(text):
    """{frame: [lines of the HTTP subtree and of the size-limit line]}"""
    out, cur, keep = {}, None, False
    for line in text.split("\n"):
        if re.match(r"^[0-9a-f]{4}  ", line):
            continue  # tshark's hex dump of a data source, inside the tree
        m = re.match(r"^Frame (\d+): ", line)
        if m:
            cur, keep = out.setdefault(int(m.group(1)), []), False
            continue
        if line and not line.startswith(" "):
            keep = line.startswith(("Hypertext", "[Packet size limited"))
        if cur is not None and keep and line.strip():
            cur.append(line)
    return out


def main():
    a = parse_args()
    t = Tally()
    cap = os.path.join(a.data, CAP)
    base = cap[: -len(".pcap")]

    rc, out, err = run(a.bin, "read", cap, "-n")
    want = [norm_summary(l) for l in open(base + ".summary.txt", encoding="utf-8") if l.strip()]
    got = [norm_summary(l) for l in out.split("\n") if l.strip()]
    t.check(rc == 0 and len(got) == len(want), f"summary: exit {rc}, {len(got)} lines, tshark {len(want)}")
    bad = [(w, g) for w, g in zip(want, got) if w != g]
    t.check(not bad, f"summary: {len(bad)} lines differ, first: {bad[:1]}")
    t.check(sum("GET /" in g and "[Packet size limited during capture]" in g for g in got) == 3,
            "summary: the three request lines in 96-byte frames")

    rc, out, err = run(a.bin, "read", cap, "-n", "-V")
    with open(base + ".http-tree.txt", encoding="utf-8") as f:
        ref = http_blocks(f.read())
    mine = http_blocks(out)
    differ = [n for n in sorted(ref) if ref[n] != mine.get(n, []) and n not in KNOWN_TREE]
    detail = ""
    if differ:
        n = differ[0]
        detail = f"frame {n}: " + str([l for l in ref[n] if l not in mine.get(n, [])][:2]) + " vs " + \
            str([l for l in mine.get(n, []) if l not in ref[n]][:2])
    t.check(not differ, f"-V: HTTP subtrees of {len(differ)} frames differ from tshark's; {detail}")
    t.check(sum(1 for n in ref if ref[n]) >= 19, "-V: the reference has the HTTP frames")
    for n in KNOWN_TREE:  # the known difference stays as small as documented
        t.check(mine.get(n, [])[-1:] == ["[Packet size limited during capture: HTTP truncated]"],
                f"-V: frame {n} ends with the size-limit line")

    # Every request gets its status in the log, as tshark pairs them.
    rc, out, _ = run(a.bin, "log", "http", cap, "--format", "ndjson")
    rows = [json.loads(l) for l in out.split("\n") if l]
    header = open(base + ".fields.tsv", encoding="utf-8").readline().rstrip("\n").split("\t")
    codes, uris = [], []
    for line in open(base + ".fields.tsv", encoding="utf-8").read().split("\n")[1:]:
        cells = line.split("\t")
        if len(cells) < len(header):
            continue
        if cells[header.index("http.request.uri")]:
            uris.append(cells[header.index("http.request.uri")])
        if cells[header.index("http.response.code")]:
            codes.append(int(cells[header.index("http.response.code")]))
    t.check([r.get("uri") for r in rows] == uris, f"log: uris {[r.get('uri') for r in rows]} vs {uris}")
    t.check([r.get("status_code") for r in rows] == codes,
            f"log: status {[r.get('status_code') for r in rows]} vs tshark {codes}")

    # Follow: the captured bytes, nothing marked missing (tshark's follow output).
    rc, out, _ = run(a.bin, "follow", cap, "--stream", "0")
    with open(base + ".follow0.txt", encoding="utf-8", newline="") as f:
        t.check(out == f.read(), "follow: differs from tshark's")
    t.finish()


if __name__ == "__main__":
    main()
