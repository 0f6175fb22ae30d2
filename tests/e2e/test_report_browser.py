#!/usr/bin/env python3
"""`portscope report` opened in headless Chromium (Debian's `chromium`, installed by scripts/setup.sh):
for several captures the report must load with no console message at all (errors, blocked network
requests, CSP violations), every section must have rendered (DOM queries on the dumped document), and
the numbers it shows -- packets, connections, timeline rows, I/O bins, protocol hierarchy,
transactions, expert counts -- must agree with `read`, `conns`, `log` and `stats` on the same capture.
A screenshot of each report is kept in the build directory (test-artifacts/). Skips (77) only when no
chromium is installed."""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

from e2e_util import Tally, is_asan, parse_args, run

CAPTURES = ["mixed.pcap", "tcp-impaired-http.pcap", "ftp-active.pcap", "http-many-clients.pcap", "dns.pcap",
            "http-ipv6.pcap"]
ASAN_SUBSET = ["mixed.pcap", "tcp-impaired-http.pcap"]
SECTIONS = ["summary", "hierarchy", "talkers", "timeline", "io", "seq", "transactions", "expert"]


class Dom(HTMLParser):
    """Just enough of a DOM: every element with its attributes, its parent chain and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs, ancestors ids)
        self.stack = []
        self.text = {}  # id -> text
        self.body = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        self.elements.append((tag, a, [x[1].get("id") for x in self.stack]))
        if tag not in ("br", "meta", "input", "img", "link", "line", "rect", "circle", "polyline"):
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for _, a in self.stack:
            if "id" in a:
                self.text[a["id"]] = self.text.get(a["id"], "") + data

    def find(self, tag=None, within=None, **attrs):
        out = []
        for t, a, anc in self.elements:
            if tag and t != tag:
                continue
            if within and within not in anc and a.get("id") != within:
                continue
            if all(a.get(k.replace("_", "-")) == v if v is not True else k.replace("_", "-") in a
                   for k, v in attrs.items()):
                out.append(a)
        return out


def chromium():
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def browse(browser, html, shot):
    """The DOM after scripts ran, and chromium's console lines."""
    base = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000"]
    url = "file://" + os.path.abspath(html)
    r = subprocess.run(base + ["--dump-dom", url], capture_output=True, timeout=90)
    console = [l for l in r.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in l]
    subprocess.run(base + ["--window-size=1280,2400", "--screenshot=" + shot, url], capture_output=True, timeout=90)
    return r.returncode, r.stdout.decode("utf-8", "replace"), console


def isb(ifdrop=None, osdrop=None, recv=None):
    """A little-endian pcapng interface statistics block for interface 0 with these counters."""
    opts = b""
    for code, v in ((4, recv), (5, ifdrop), (7, osdrop)):
        if v is not None:
            opts += struct.pack("<HHQ", code, 8, v)
    opts += struct.pack("<HH", 0, 0)
    body = struct.pack("<III", 0, 0, 0) + opts
    n = 12 + len(body)
    return struct.pack("<II", 5, n) + body + struct.pack("<I", n)


def check_drops(a, t, tmp):
    """The summary's drops: http-pcapng.pcapng's own statistics block (dumpcap's: isb_ifdrop 0), and the
    same file with a later block (7 dropped by the interface, 3 by the OS) that supersedes it; capinfos
    confirms each file's statistics blocks."""
    src = os.path.join(a.data, "http-pcapng.pcapng")
    with open(src, "rb") as f:
        data = f.read()
    more = os.path.join(tmp, "drops.pcapng")
    with open(more, "wb") as f:
        f.write(data + isb(ifdrop=7, osdrop=3, recv=40))
    for cap, entries, want in ((src, 1, ("0", "0 by the interface;")),
                               (more, 2, ("10", "7 by the interface, 3 by the OS;")),
                               (os.path.join(a.data, "http-basic.pcap"), None, None)):
        if entries is not None and shutil.which("capinfos"):
            ci = subprocess.run(["capinfos", cap], capture_output=True, text=True).stdout
            t.check(f"Number of stat entries = {entries}" in ci, f"{cap}: capinfos sees {entries} stat blocks")
        html = os.path.join(tmp, "drops.html")
        code, _, err = run(a.bin, "report", cap, "-o", html, "-q")
        with open(html, encoding="utf-8") as f:
            src_html = f.read()
        m = re.search(r"Dropped by the capture</td><td>(?:<span id='sum-drops' class='n'>(\d+)</span> \(([^)]*)\))?([^<]*)",
                      src_html)
        if want is None:
            t.check(code == 0 and m and m.group(3) == "not recorded in the file", f"{cap}: drops {m and m.group(0)}")
        else:
            t.check(code == 0 and m and m.group(1) == want[0] and m.group(2).startswith(want[1]),
                    f"{cap}: drops {m and m.group(0)} {err}")


def main():
    a = parse_args()
    browser = chromium()
    if not browser:
        print("SKIP: chromium is not installed (scripts/setup.sh installs it)")
        sys.exit(77)
    t = Tally()
    artifacts = os.path.join(os.path.dirname(os.path.abspath(a.bin)), "test-artifacts")
    os.makedirs(artifacts, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="ps-report-")
    try:
        for name in (ASAN_SUBSET if is_asan(a.bin) else CAPTURES):
            cap = os.path.join(a.data, name)
            html = os.path.join(tmp, name + ".html")
            code, _, err = run(a.bin, "report", cap, "-o", html, "-q")
            if not t.check(code == 0 and os.path.exists(html), f"{name}: report exit {code} {err}"):
                continue
            with open(html, encoding="utf-8") as f:
                src = f.read()
            # Self-contained: nothing fetched from anywhere.
            t.check(not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", src, re.I),
                    f"{name}: the report references an external resource")
            t.check("<link" not in src and "<script src" not in src, f"{name}: external script or stylesheet")
            shot = os.path.join(artifacts, f"report-{name}.png")
            bcode, dom_text, console = browse(browser, html, shot)
            t.check(bcode == 0, f"{name}: chromium exit {bcode}")
            t.check(not console, f"{name}: console messages: {console[:3]}")
            t.check(os.path.exists(shot) and os.path.getsize(shot) > 10000, f"{name}: no screenshot")
            dom = Dom()
            dom.feed(dom_text)
            t.check(dom.body.get("data-ready") == "1", f"{name}: the report's script did not run")
            t.check("data-js-error" not in dom.body, f"{name}: script error {dom.body.get('data-js-error')}")
            for s in SECTIONS:
                t.check(len(dom.find("section", id=s)) == 1, f"{name}: section {s} missing")

            # Summary numbers against read and conns.
            _, read_out, _ = run(a.bin, "read", cap, "-T", "fields", "-e", "frame.time_relative", "-e", "frame.len")
            frames = [l.split("\t") for l in read_out.splitlines() if l]
            _, conns_json, _ = run(a.bin, "conns", cap, "--format", "ndjson")
            conns = [json.loads(l) for l in conns_json.splitlines() if l.strip()]
            t.check(dom.text.get("sum-packets", "").strip() == str(len(frames)), f"{name}: packets")
            t.check(dom.text.get("sum-bytes", "").split()[0] == str(sum(int(f[1]) for f in frames)), f"{name}: bytes")
            t.check(dom.text.get("sum-conns", "").split()[0] == str(len(conns)), f"{name}: connections")
            # Timeline: one bar per connection (all of them below the report's cap), the same uids.
            bars = dom.find("g", within="timeline-svg", **{"class": "conn"})
            uids = {c["uid"] for c in conns}
            t.check(len(bars) == min(len(conns), 300), f"{name}: {len(bars)} timeline bars, {len(conns)} conns")
            t.check(all(b["data-uid"] in uids for b in bars), f"{name}: timeline uid not in conns")
            by_uid = {c["uid"]: c for c in conns}
            t.check(all(by_uid[b["data-uid"]].get("conn_state") == b["data-state"] for b in bars if b["data-uid"] in by_uid),
                    f"{name}: timeline state differs from conns")
            # Each FTP data connection sits right under its control connection.
            order = [b["data-uid"] for b in bars]
            for c in conns:
                if c.get("parent_uid") and c["uid"] in order and c["parent_uid"] in order:
                    i, p = order.index(c["uid"]), order.index(c["parent_uid"])
                    t.check(p < i and all(by_uid[u].get("parent_uid") == c["parent_uid"] for u in order[p + 1:i]),
                            f"{name}: ftp-data {c['uid']} not under its control connection")
            # I/O bins: the plotted series, rebuilt from read's frame times.
            m = re.search(r"<script type=\"application/json\" id=\"io-data\">(.*?)</script>", dom_text, re.S) or \
                re.search(r"<script type='application/json' id='io-data'>(.*?)</script>", src, re.S)
            io = json.loads(m.group(1)) if m else {"width_ns": 1, "bins": []}
            want = {}
            for rel, ln in frames:
                ns = round(float(rel) * 1e9)
                b = want.setdefault(ns // io["width_ns"], [0, 0])
                b[0] += 1
                b[1] += int(ln)
            got = {i: [x[0] + x[1] + x[2], x[3] + x[4] + x[5]] for i, x in enumerate(io["bins"]) if x[0] + x[1] + x[2]}
            t.check(got == want, f"{name}: I/O bins differ from read's frame times")
            t.check(len(dom.find("rect", within="io")) > 2, f"{name}: no I/O bars drawn")
            # Protocol hierarchy rows: stats phs's numbers.
            _, phs, _ = run(a.bin, "stats", cap, "phs", "-q")
            want_phs = [(m.group(2), m.group(3)) for m in re.finditer(r"^(\s*)(\S+)\s+frames:(\d+)", phs, re.M)]
            rows = [(r["data-proto"]) for r in dom.find("tr", data_proto=True)]
            t.check(rows == [p for p, _ in want_phs], f"{name}: hierarchy rows differ from stats phs")
            # Sequence graphs: one per TCP connection up to four, each with points.
            tcp_conns = [c for c in conns if c.get("proto") == "tcp"]
            graphs = dom.find("div", **{"class": "seqgraph"})
            t.check(len(graphs) == min(4, len(tcp_conns)), f"{name}: {len(graphs)} sequence graphs")
            t.check(all(int(g["data-points"]) > 0 for g in graphs), f"{name}: empty sequence graph")
            # Transactions: as many rows as portscope log.
            for kind in ("http", "ftp", "smtp", "pop3", "dns"):
                _, log, _ = run(a.bin, "log", kind, cap, "--format", "ndjson")
                n = len([l for l in log.splitlines() if l.strip()])
                tab = dom.find("table", id=f"tx-{kind}")
                shown = int(tab[0]["data-rows"]) if tab else 0
                t.check(shown == n, f"{name}: {kind} table has {shown} rows, log {kind} {n}")
            # Expert: retransmissions as tcp.analysis.retransmission counts them.
            _, rt, _ = run(a.bin, "read", cap, "-Y",
                           "tcp.analysis.retransmission || tcp.analysis.fast_retransmission || "
                           "tcp.analysis.spurious_retransmission", "-T", "fields", "-e", "frame.number")
            n_rt = len([l for l in rt.splitlines() if l])
            ev = re.search(r"data-event=\"Retransmission\"><td>[^<]*</td><td>[^<]*</td><td class=\"n\">(\d+)<", dom_text)
            t.check(ev is not None and int(ev.group(1)) == n_rt, f"{name}: retransmissions {ev and ev.group(1)} vs {n_rt}")
            t.check(len(dom.find("tr", within="expert-table", data_event=True)) == 8, f"{name}: expert rows")
        check_drops(a, t, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Errors: no output file, bad capture.
    code, _, err = run(a.bin, "report", os.path.join(a.data, "mixed.pcap"))
    t.check(code == 2 and err.startswith("portscope:"), f"report without -o: {code} {err!r}")
    code, _, err = run(a.bin, "report", "/nonexistent.pcap", "-o", "/tmp/ps-never.html")
    t.check(code != 0 and err.startswith("portscope:") and not os.path.exists("/tmp/ps-never.html"),
            f"report of a missing file: {code} {err!r}")
    t.finish()


if __name__ == "__main__":
    main()
