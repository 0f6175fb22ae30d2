#!/usr/bin/env python3
"""`conns --url`: each TCP connection's first HTTP request as a browser showed it, against tshark.

usage: test_conns_url.py --bin PORTSCOPE --data DIR

For every HTTP capture in DIR, tshark (`-Y http.request`, fields tcp.stream, http.host,
http.request.uri) gives each stream's first request; the URL a browser shows is http://HOST+URI with
":80" left out (absolute URIs as they are). `conns --url` in ndjson, csv, zeek and table form must show
exactly that on each connection (and nothing on the others), at -j 1 and -j 2; without --url no url
column appears.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import Tally, parse_args  # noqa: E402

CAPTURES = ["http-basic.pcap", "http-port-2222.pcap", "http-ipv6.pcap", "http-many-clients.pcap",
            "http-keepalive-pipelined.pcap", "http-pcapng.pcapng", "seed-http.pcap", "mixed.pcap",
            "tcp-impaired-http.pcap"]
T = Tally()


def tshark_first_urls(cap):
    r = subprocess.run(["tshark", "-n", "-r", cap, "-Y", "http.request", "-T", "fields", "-e", "tcp.stream",
                        "-e", "http.host", "-e", "http.request.uri", "-E", "occurrence=f"],
                       capture_output=True, timeout=120)
    first = {}
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        stream, host, uri = (line.split("\t") + ["", ""])[:3]
        if not stream or not uri or int(stream) in first:
            continue
        if uri.startswith(("http://", "https://")):
            first[int(stream)] = uri
            continue
        if host.endswith(":80"):
            host = host[:-3]
        first[int(stream)] = f"http://{host}{uri}"
    return first


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("skip: tshark not found")
        return 77
    for name in CAPTURES:
        cap = os.path.join(a.data, name)
        if not os.path.exists(cap):
            continue
        want = tshark_first_urls(cap)
        T.check(want or name == "mixed.pcap", f"{name}: tshark finds HTTP requests")
        for jobs in ("1", "2"):
            out = subprocess.run([a.bin, "conns", cap, "--url", "-F", "ndjson", "-j", jobs],
                                 capture_output=True, timeout=120)
            T.check(out.returncode == 0, f"{name} -j {jobs}: exit {out.returncode} {out.stderr[:200]}")
            rows = [json.loads(l) for l in out.stdout.decode().splitlines()]
            got = {r["stream"]: r["url"] for r in rows if r["proto"] == "tcp" and "url" in r}
            T.check(got == want, f"{name} -j {jobs}: urls {sorted(got.items())[:3]} vs {sorted(want.items())[:3]}")
        # The other forms carry the same values.
        out = subprocess.run([a.bin, "conns", cap, "--url", "-F", "csv"], capture_output=True, timeout=120)
        rows = list(csv.DictReader(io.StringIO(out.stdout.decode())))
        got = {int(r["stream"]): r["url"] for r in rows if r["proto"] == "tcp" and r["url"]}
        T.check(got == want, f"{name}: csv urls differ")
        out = subprocess.run([a.bin, "conns", cap, "--url", "-F", "zeek"], capture_output=True, timeout=120)
        lines = out.stdout.decode().splitlines()
        fields = next(l for l in lines if l.startswith("#fields")).split("\t")[1:]
        T.check(fields[-1] == "url", f"{name}: zeek #fields ends with url: {fields[-3:]}")
        zurls = sorted(l.split("\t")[-1] for l in lines if not l.startswith("#"))
        T.check(sorted(u for u in zurls if u != "-") == sorted(want.values()), f"{name}: zeek urls differ")
        out = subprocess.run([a.bin, "conns", cap, "--url"], capture_output=True, timeout=120)
        table = out.stdout.decode().splitlines()
        T.check(table and table[0].endswith(" URL"), f"{name}: table header ends with URL")
        T.check(all(any(l.endswith(" " + u) for l in table[1:]) for u in want.values()), f"{name}: table urls")
        plain = subprocess.run([a.bin, "conns", cap, "-F", "ndjson"], capture_output=True, timeout=120)
        T.check(b'"url"' not in plain.stdout, f"{name}: no url without --url")
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
