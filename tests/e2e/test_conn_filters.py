#!/usr/bin/env python3
"""Display filters on connections and transactions, on every test capture:
- `conns -Y PACKET_FILTER` lists exactly the connections (tshark's tcp.stream / udp.stream of each frame)
  that hold a frame `read -Y` matches (read -Y itself is compared with tshark by
  test_filters_vs_tshark.py; frames of ICMP errors, which quote a TCP/UDP header, belong to no connection);
- `conns -Y 'conn.* ...'` keeps exactly the unfiltered records the same condition selects, evaluated
  here on the JSON records;
- `log KIND -Y F` keeps exactly the rows whose uid `conns -Y F` lists;
- `conns -Y F -w OUT` writes exactly the frames of those connections, in capture order: tshark reads OUT
  back with the same times and lengths as `tshark -Y 'tcp.stream in {...} || udp.stream in {...}'` on the input;
- a filter mixing packet and conn.* fields is refused (exit 2, one line).
Exits 77 (skipped) without tshark.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
from e2e_util import Tally, captures_for, parse_args, run  # noqa: E402

PACKET_FILTERS = [
    'http.request.method == "POST"',
    "tcp.flags.reset == 1",
    "tcp.analysis.retransmission",
    "dns.flags.rcode != 0",
    "ip.addr == 192.168.1.0/24 && tcp.len > 100",
    'frame contains "nginx"',
    "udp.port == 53",
    "tcp.port in {20..21}",
    "http.response.code >= 400",
    "ipv6 && tcp.flags.syn == 1",
    'ftp.request.command == "RETR"',
]

# (filter, the same condition on a conns JSON record)
CONN_FILTERS = [
    ('conn.state == "REJ"', lambda r: r["conn_state"] == "REJ"),
    ('conn.service == "http"', lambda r: r.get("service") == "http"),
    ("conn.duration > 0.01", lambda r: r.get("duration", 0) > 0.01),
    ('conn.proto == "udp" || conn.resp_p == 21', lambda r: r["proto"] == "udp" or r["id.resp_p"] == 21),
    ("conn.orig_bytes > 1000 && conn.resp_pkts >= 5", lambda r: r.get("orig_bytes", 0) > 1000 and r["resp_pkts"] >= 5),
    ('conn.history contains "R"', lambda r: "R" in r.get("history", "")),
    ("conn.resp_h == 192.168.1.200", lambda r: r["id.resp_h"] == "192.168.1.200"),
    ('conn.service_source == "content"', lambda r: r.get("service_source") == "content"),
]


def captures(data, binary=None):
    names = sorted(n for n in os.listdir(data) if n.endswith((".pcap", ".pcapng")))
    if binary:
        names = captures_for(binary, names)
    return [os.path.join(data, n) for n in names]


def conns_json(binary, cap, *extra):
    rc, out, err = run(binary, "conns", cap, "--format", "ndjson", *extra)
    return rc, [json.loads(line) for line in out.splitlines() if line.strip()], err


def tshark_streams(cap):
    """frame number -> (proto, stream) as tshark numbers them: the innermost transport's stream (a VXLAN or
    Geneve frame also carries the outer UDP flow's udp.stream first; its connection is the inner one)."""
    r = subprocess.run(["tshark", "-n", "-r", cap, "-T", "fields", "-e", "frame.number", "-e", "frame.protocols",
                        "-e", "tcp.stream", "-e", "udp.stream"], capture_output=True, text=True, timeout=120)
    streams = {}
    for line in r.stdout.splitlines():
        num, protos, tcp, udp = (line.split("\t") + ["", "", "", ""])[:4]
        if ":icmp" in protos:
            continue
        if tcp:
            streams[int(num)] = ("tcp", int(tcp.split(",")[-1]))
        elif udp:
            streams[int(num)] = ("udp", int(udp.split(",")[-1]))
    return streams


def pcapng_packets(path):
    """The number of packet blocks (enhanced, simple, obsolete) in a pcapng file; -1 when the file is
    not whole pcapng blocks from start to end."""
    with open(path, "rb") as f:
        raw = f.read()
    blocks = list(cg.pcapng_blocks(raw))
    if not blocks or blocks[0][1] != cg.PCAPNG_SHB or blocks[-1][0] + blocks[-1][2] != len(raw):
        return -1
    return sum(1 for _, kind, _, _ in blocks if kind in (2, 3, 6))


def matching_frames(binary, cap, filt):
    rc, out, _ = run(binary, "read", cap, "-Y", filt, "-T", "fields", "-e", "frame.number")
    return {int(x) for x in out.split()} if rc == 0 else set()


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("tshark missing: skipped")
        sys.exit(77)
    t = Tally()
    for cap in captures(a.data, a.bin):
        name = os.path.basename(cap)
        rc, everything, err = conns_json(a.bin, cap)
        if not t.check(rc == 0, f"{name}: conns: {err}"):
            continue
        streams = tshark_streams(cap)
        for filt in PACKET_FILTERS:
            want = {streams[n] for n in matching_frames(a.bin, cap, filt) if n in streams}
            rc, rows, err = conns_json(a.bin, cap, "-Y", filt)
            got = {(r["proto"], r["stream"]) for r in rows}
            t.check(rc == 0 and got == want, f"{name}: conns -Y '{filt}': {sorted(got)} != tshark {sorted(want)} {err}")
        for filt, pred in CONN_FILTERS:
            rc, rows, err = conns_json(a.bin, cap, "-Y", filt)
            t.check(rc == 0 and [r["uid"] for r in rows] == [r["uid"] for r in everything if pred(r)],
                    f"{name}: conns -Y '{filt}' keeps the records the condition selects {err}")
        for kind, filt in (("http", 'http.request.method == "POST"'), ("http", "conn.duration > 0.01"),
                           ("dns", "dns.flags.rcode != 0"), ("ftp", "conn.resp_p == 21")):
            uids = {r["uid"] for r in conns_json(a.bin, cap, "-Y", filt)[1]}
            rc, out, err = run(a.bin, "log", kind, cap, "--format", "ndjson")
            every = [json.loads(line) for line in out.splitlines() if line.strip()]
            rc2, out2, err2 = run(a.bin, "log", kind, cap, "--format", "ndjson", "-Y", filt)
            kept = [json.loads(line) for line in out2.splitlines() if line.strip()]
            t.check(rc == 0 and rc2 == 0 and kept == [r for r in every if r.get("uid") in uids],
                    f"{name}: log {kind} -Y '{filt}' keeps the rows of the connections conns -Y lists {err2}")
    fields = ["-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"]
    for cap in captures(a.data, a.bin):
        name = os.path.basename(cap)
        streams = tshark_streams(cap)
        frames = subprocess.run(["tshark", "-n", "-r", cap, *fields], capture_output=True, text=True,
                                timeout=120).stdout.splitlines()
        for filt in ('http.request.method == "POST"', "tcp.flags.reset == 1", 'conn.service == "http"',
                     'conn.resp_p == 21 || conn.proto == "udp"'):
            rows = conns_json(a.bin, cap, "-Y", filt)[1]
            out = os.path.join(tempfile.gettempdir(), f"conns-w-{os.getpid()}.pcapng")
            rc, _, err = run(a.bin, "conns", cap, "-Y", filt, "-w", out)
            if not t.check(rc == 0 and os.path.exists(out), f"{name}: conns -Y '{filt}' -w: exit {rc} {err}"):
                continue
            chosen = {(r["proto"], r["stream"]) for r in rows}
            if not chosen:  # nothing selected: the file holds no packet (no tshark run needed for that)
                count = pcapng_packets(out)
                os.remove(out)
                t.check(count == 0, f"{name}: conns -Y '{filt}' -w selected nothing but wrote {count} packets")
                continue
            want = [line for n, line in enumerate(frames, 1) if streams.get(n) in chosen]
            got = subprocess.run(["tshark", "-n", "-r", out, *fields], capture_output=True, text=True,
                                 timeout=120).stdout.splitlines()
            os.remove(out)
            t.check(got == want, f"{name}: conns -Y '{filt}' -w writes the {len(want)} frames of its "
                                 f"{len(rows)} connections (wrote {len(got)})")
    rc, _, err = run(a.bin, "conns", "-", "-w", "/tmp/x.pcap", stdin=b"")
    t.check(rc == 2 and "twice" in err, f"conns -w from standard input is refused: {rc} {err!r}")
    for cmd in (["conns"], ["log", "http"]):
        rc, _, err = run(a.bin, *cmd, os.path.join(a.data, "http-basic.pcap"), "-Y",
                         'conn.state == "SF" && tcp.port == 80')
        t.check(rc == 2 and err.count("\n") == 1 and "not both" in err, f"{cmd[0]}: a mixed filter: {rc} {err!r}")
    t.finish()


if __name__ == "__main__":
    main()
