#!/usr/bin/env python3
"""Content gaps: after stream bytes that were never captured the analyzers resynchronise.

tests/data/http-gap.pcap: 1,000 curl requests on one keep-alive connection to nginx, the segment that
carried the response to request 500 removed from the capture (tests/data/README.md). HTTP must find all
1,000 requests and 999 responses, each paired with its own request; the connection record says what
was lost (missed_bytes, Zeek's `g`); HTTP frames, request_in links and follow agree with tshark."""
import json
import os
import re
import shutil
import subprocess

from e2e_util import Tally, parse_args, run

KINDS = {"ok": (200, "OK"), "made": (201, "Created"), "missing": (404, "Not Found")}


def tsv(text):
    return [l.split("\t") for l in text.split("\n") if l != ""]


def main():
    a = parse_args()
    t = Tally()
    cap = os.path.join(a.data, "http-gap.pcap")

    rc, out, err = run(a.bin, "log", "http", cap, "--format", "ndjson")
    t.check(rc == 0, f"log http: exit {rc}: {err.strip()[:200]}")
    rows = [json.loads(l) for l in out.split("\n") if l]
    t.check(len(rows) == 1000, f"log http: {len(rows)} rows, want 1000")
    answered = [r for r in rows if "status_code" in r]
    t.check(len(answered) == 999, f"log http: {len(answered)} responses, want 999")
    bad = []
    for r in rows:
        m = re.fullmatch(r"/(ok|made|missing)/item(\d+)", r.get("uri", ""))
        if not m or int(m.group(2)) != r["trans_depth"]:
            bad.append(r)
            continue
        n = int(m.group(2))
        want = None if n == 500 else KINDS[m.group(1)]
        got = (r["status_code"], r["status_msg"]) if "status_code" in r else None
        if got != want:
            bad.append(r)
    t.check(not bad, f"log http: {len(bad)} rows with a wrong uri/status pairing, first {bad[:1]}")

    rc, out, err = run(a.bin, "conns", cap, "-F", "json")
    conns = json.loads(out) if rc == 0 else []
    t.check(len(conns) == 1, f"conns: {len(conns)} connections")
    if conns:
        c = conns[0]
        t.check(c["missed_bytes"] == 308, f"conns: missed_bytes {c['missed_bytes']}, want 308 (the lost response)")
        t.check("g" in c["history"] and "G" not in c["history"],
                f"conns: history {c['history']} should have the responder's content gap g only")
        t.check(c["service"] == "http", f"conns: service {c['service']}")

    # HTTP frame placement and request/response links, against the stored tshark output.
    rc, out, _ = run(a.bin, "read", cap, "-Y", "http.request", "-T", "fields", "-e", "frame.number",
                     "-e", "http.request.uri")
    want = tsv(open(os.path.join(a.data, "http-gap.requests.tsv")).read())
    t.check(tsv(out) == want, f"requests: {len(tsv(out))} frames, tshark {len(want)}; differ")
    rc, out, _ = run(a.bin, "read", cap, "-Y", "http.response", "-T", "fields", "-e", "frame.number",
                     "-e", "http.response.code", "-e", "http.request_in")
    want = tsv(open(os.path.join(a.data, "http-gap.responses.tsv")).read())
    got = tsv(out)
    t.check(got == want, f"responses: {len(got)} frames, tshark {len(want)}; first difference "
            f"{next(((g, w) for g, w in zip(got, want) if g != w), None)}")

    # Live tshark when installed (the stored files were made by tshark 4.0.17).
    if shutil.which("tshark"):
        for flt, fields in (("http.request", ["frame.number"]), ("http.response", ["frame.number", "http.request_in"])):
            cmd = ["tshark", "-n", "-r", cap, "-Y", flt, "-T", "fields"]
            for f in fields:
                cmd += ["-e", f]
            live = subprocess.run(cmd, capture_output=True, text=True).stdout
            rc, out, _ = run(a.bin, "read", cap, "-Y", flt, "-T", "fields", *sum((["-e", f] for f in fields), []))
            t.check(tsv(out) == tsv(live), f"{flt}: differs from live tshark")

    # follow shows the hole as tshark does: "[308 bytes missing in capture file]" in its place.
    rc, out, _ = run(a.bin, "follow", cap, "--stream", "0")
    t.check("\t36\n[308 bytes missing in capture file].\n\t163\nHTTP/1.1 200 OK" in out,
            "follow: the missing bytes are not shown where tshark shows them")
    t.finish()


if __name__ == "__main__":
    main()
